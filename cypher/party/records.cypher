// One page of each party's records (HAS_RECORD), newest start first, with their updates,
// their case and the persons named in them. $state: 'ACTIVE' keeps the records active on $on
// (start <= $on, end null or > $on, voided_on null or > $on, as in docs/model.md), 'INACTIVE'
// the others, 'ALL' everything; $kinds (null = all) filters by record kind.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[:HAS_RECORD]->(r:Record)
WHERE ($kinds IS NULL OR r.kind IN $kinds)
WITH id, r, (r.start <= $on AND (r.end IS NULL OR r.end > $on)
             AND (r.voided_on IS NULL OR r.voided_on > $on)) AS active
WHERE $state = 'ALL' OR (($state = 'ACTIVE') = coalesce(active, false))
WITH id, r ORDER BY r.start DESC, r.record_key
WITH id, collect(r) AS rs
RETURN id, size(rs) AS total,
  [r IN rs[$offset..$offset + $limit] | {
    props: properties(r),
    updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | properties(u)],
    case_no: head([(r)-[:CONCERNS_CASE]->(k:Case) | k.case_no]),
    named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}] AS items
