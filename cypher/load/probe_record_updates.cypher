// The lines of a batch whose record update (by update_key) is already in the graph
// with the same row_hash. The loader counts them unchanged and leaves them out of the
// write, so a reload is read-only. The write query still compares row_hash itself.
UNWIND $batch.rows AS row
MATCH (n:RecordUpdate {update_key: row.record_ref + '|' + row.status + '|' + row.effective_on})
WHERE n.row_hash = row.row_hash
RETURN collect(DISTINCT row.line) AS unchanged
