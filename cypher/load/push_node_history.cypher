// Appends earlier values (JSON strings, oldest first) to the history of the nodes a batch
// changed; found by element id within the same transaction.
UNWIND $batch.rows AS row
MATCH (n) WHERE elementId(n) = row.eid
SET n.history = coalesce(n.history, []) + row.entries
