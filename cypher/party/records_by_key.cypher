// Records by record_key (unique constraint), in the same shape as party/records items.
UNWIND $ids AS id
MATCH (r:Record {record_key: id})
RETURN id, {
  props: properties(r),
  updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | properties(u)],
  case_no: head([(r)-[:CONCERNS_CASE]->(k:Case) | k.case_no]),
  named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]} AS item
