// One page of the records that refer to each case (incoming CONCERNS_CASE: dishonest-debtor
// listings, blacklist entries, interventions), newest first, shaped as party/records items.
UNWIND $ids AS id
MATCH (:Case {case_no: id})<-[:CONCERNS_CASE]-(r:Record)
WITH id, r ORDER BY r.start DESC, r.record_key
WITH id, collect(r) AS rs
RETURN id, size(rs) AS total,
  [r IN rs[$offset..$offset + $limit] | {
    props: properties(r),
    updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | properties(u)],
    case_no: id,
    named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}] AS items
