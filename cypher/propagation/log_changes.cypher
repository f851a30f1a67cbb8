// Appends the run's gained / lost / changed measures to the change log, in the transaction
// that writes (or deletes) those measures: a change is logged exactly when it is stored.
UNWIND $batch.rows AS row
MERGE (c:MeasureChange {change_id: row.change_id})
ON CREATE SET c += row, c.run_id = $run_id, c.at = $at
