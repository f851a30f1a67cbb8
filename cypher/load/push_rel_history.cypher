// Appends earlier values (JSON strings, oldest first) to the history of the relationships a
// batch changed; found by element id within the same transaction.
UNWIND $batch.rows AS row
MATCH ()-[r]->() WHERE elementId(r) = row.eid
SET r.history = coalesce(r.history, []) + row.entries
