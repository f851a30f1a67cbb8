// Links records and their updates by the registry reference, whichever arrived first:
// called with the changed rows of a record registry (which carry `ref`) or of record_updates
// (which carry `record_ref`). An update whose record is not loaded yet simply waits.
UNWIND $batch.rows AS row
WITH coalesce(row.ref, row.record_ref) AS ref, min(row.line) AS line
MATCH (u:RecordUpdate {record_ref: ref})
MATCH (r:Record {ref: ref})
MERGE (r)-[h:HAS_UPDATE]->(u)
ON CREATE SET h += $prov, h.src_row = line
