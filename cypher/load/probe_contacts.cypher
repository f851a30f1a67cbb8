// The lines of a batch whose HAS_CONTACT (party → contact) is already in the graph
// with the same row_hash. The loader counts them unchanged and leaves them out of the
// write, so a reload is read-only. The write query still compares row_hash itself.
UNWIND $batch.rows AS row
// Both ends by their keys (hinted), then the relationship between them (Expand(Into)):
// expanding from one end and filtering walks every relationship of a busy official.
MATCH (a:Party {party_id: row.party_id}), (b:Contact {contact_key: row.contact_key}), (a)-[n:HAS_CONTACT]->(b)
USING INDEX a:Party(party_id)
USING INDEX b:Contact(contact_key)
WHERE n.row_hash = row.row_hash
RETURN collect(DISTINCT row.line) AS unchanged
