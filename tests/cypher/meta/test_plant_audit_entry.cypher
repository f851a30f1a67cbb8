// Test helper: takes the seq the next append needs, so that the append violates the seq
// constraint and fails in Neo4j itself (the honest way to make the audit log unwritable).
CREATE (e:AuditEntry {seq: $seq, at: '', kind: 'planted', prev_hash: '', hash: ''})
