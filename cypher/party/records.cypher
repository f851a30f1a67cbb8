// One page of each party's records (HAS_RECORD), newest start first, with their updates,
// their case and the persons named in them. $state: 'ACTIVE' keeps the records active on $on
// (start <= $on, end null or > $on, voided_on null or > $on, and within the maximum
// publication period of its kind and class, as in docs/model.md), 'INACTIVE' the others, 'ALL'
// everything; $kinds (null = all) filters by kind. $periods: the catalog's maximum periods as
// 'kind|by|class|months' texts (analysis/activity.period_params; by '' for a kind of one class).
// One row for every party found (total 0 without records), with the party's own row as
// party/by_id gives it (`labels`, `props`): the records view reads the party and its page in
// one statement (graph_service/gql/cards.py).
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
CALL (p) {
  MATCH (p)-[:HAS_RECORD]->(r:Record)
  WHERE ($kinds IS NULL OR r.kind IN $kinds)
  WITH r, [x IN $periods | split(x, '|')] AS periods
  WITH r,
       toInteger(head([x IN periods WHERE x[0] = r.kind AND x[1] <> '' AND x[2] = r[x[1]]]
                      + [x IN periods WHERE x[0] = r.kind AND x[2] = 'default'])[3]) AS months
  WITH r, (r.start <= $on AND (r.end IS NULL OR r.end > $on)
           AND (r.voided_on IS NULL OR r.voided_on > $on)
           AND (months IS NULL OR r.start + duration({months: months}) > $on)) AS active
  WHERE $state = 'ALL' OR (($state = 'ACTIVE') = coalesce(active, false))
  WITH r ORDER BY r.start DESC, r.record_key
  RETURN collect(r) AS rs
}
RETURN id, labels(p) AS labels, properties(p) AS props, size(rs) AS total,
  [r IN rs[$offset..$offset + $limit] | {
    props: properties(r),
    updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | properties(u)],
    case_no: head([(r)-[:CONCERNS_CASE]->(k:Case) | k.case_no]),
    named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}] AS items
