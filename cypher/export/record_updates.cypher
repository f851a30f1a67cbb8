// The status updates (repairs, revocations, corrections, removals) of a batch of parties'
// records, for `credit-graph export` (graph_service/export/parquet.py): the records' own
// voided_on already folds them for the propagation; the export keeps the history beside it.
UNWIND $batch.ids AS id
MATCH (:Party {party_id: id})-[:HAS_RECORD]->(r:Record)-[:HAS_UPDATE]->(u:RecordUpdate)
WITH r, u ORDER BY r.record_key, u.effective_on, u.update_key
RETURN collect({record_key: r.record_key, update_key: u.update_key, status: u.status,
                effective_on: toString(u.effective_on)}) AS updates
