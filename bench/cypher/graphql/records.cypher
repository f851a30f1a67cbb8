// Plain counterpart of the workbench's record list (WorkbenchRecords): the first 20 of the
// party's records, active and past, newest first, with their updates, and how many there are.
MATCH (:Party {party_id: $id})-[:HAS_RECORD]->(r:Record)
WITH r ORDER BY r.start DESC, r.record_key
WITH collect(r) AS rs
RETURN size(rs) AS total,
  [r IN rs[0..20] | {props: properties(r),
                     updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | properties(u)]}] AS items
