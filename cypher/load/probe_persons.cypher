// The lines of a batch whose person (by id_number) is already in the graph
// with the same row_hash. The loader counts them unchanged and leaves them out of the
// write, so a reload is read-only. The write query still compares row_hash itself.
UNWIND $batch.rows AS row
MATCH (n:Party {party_id: row.id_number})
WHERE n.row_hash = row.row_hash
RETURN collect(DISTINCT row.line) AS unchanged
