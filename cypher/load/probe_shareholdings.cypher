// The lines of a batch whose HOLDS_SHARES (holder → company) is already in the graph
// with the same row_hash. The loader counts them unchanged and leaves them out of the
// write, so a reload is read-only. The write query still compares row_hash itself.
UNWIND $batch.rows AS row
// Both ends by their keys (hinted), then the relationship between them (Expand(Into)):
// expanding from one end and filtering walks every relationship of a busy official.
MATCH (a:Party {party_id: row.holder_id}), (b:Party {party_id: row.company_uscc}), (a)-[n:HOLDS_SHARES]->(b)
USING INDEX a:Party(party_id)
USING INDEX b:Party(party_id)
WHERE n.row_hash = row.row_hash
RETURN collect(DISTINCT row.line) AS unchanged
