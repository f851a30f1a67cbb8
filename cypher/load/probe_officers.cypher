// The lines of a batch whose OFFICER_OF of that role (person → company) is already in the graph
// with the same row_hash. The loader counts them unchanged and leaves them out of the
// write, so a reload is read-only. The write query still compares row_hash itself.
// replan=force: see load/officers (a plan made on an empty OFFICER_OF scans the role index).
CYPHER replan=force
UNWIND $batch.rows AS row
// Both ends by their keys (hinted), then the relationship between them (Expand(Into)):
// expanding from one end and filtering walks every relationship of a busy official.
MATCH (a:Party {party_id: row.person_id}), (b:Party {party_id: row.company_uscc}), (a)-[n:OFFICER_OF {role: row.role}]->(b)
USING INDEX a:Party(party_id)
USING INDEX b:Party(party_id)
WHERE n.row_hash = row.row_hash
RETURN collect(DISTINCT row.line) AS unchanged
