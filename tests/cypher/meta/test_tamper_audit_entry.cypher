// Test helper: edits an audit entry's payload in place, as someone with database access
// might, so that `audit verify` must find it.
MATCH (e:AuditEntry {seq: $seq})
SET e.payload = $payload
