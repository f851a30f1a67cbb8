// The lines of a batch whose HANDLED (official → case) is already in the graph
// with the same row_hash. The loader counts them unchanged and leaves them out of the
// write, so a reload is read-only. The write query still compares row_hash itself.
UNWIND $batch.rows AS row
// Both ends by their keys (hinted), then the relationship between them (Expand(Into)):
// expanding from one end and filtering walks every relationship of a busy official.
MATCH (a:Party {party_id: row.official_id}), (b:Case {case_no: row.case_no}), (a)-[n:HANDLED]->(b)
USING INDEX a:Party(party_id)
USING INDEX b:Case(case_no)
WHERE n.row_hash = row.row_hash
RETURN collect(DISTINCT row.line) AS unchanged
