// One page of the records that refer to each case (incoming CONCERNS_CASE: dishonest-debtor
// listings, blacklist entries, interventions), newest first, shaped as party/records items.
// $state: 'ACTIVE' keeps the records active on $on (as party/records judges them),
// 'INACTIVE' the others, 'ALL' everything.
UNWIND $ids AS id
MATCH (:Case {case_no: id})<-[:CONCERNS_CASE]-(r:Record)
WITH id, r, (r.start <= $on AND (r.end IS NULL OR r.end > $on)
             AND (r.voided_on IS NULL OR r.voided_on > $on)) AS active
WHERE $state = 'ALL' OR (($state = 'ACTIVE') = coalesce(active, false))
WITH id, r ORDER BY r.start DESC, r.record_key
WITH id, collect(r) AS rs
RETURN id, size(rs) AS total,
  [r IN rs[$offset..$offset + $limit] | {
    props: properties(r),
    updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | properties(u)],
    case_no: id,
    named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}] AS items
