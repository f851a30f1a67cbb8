// Test helper: rewrites an audit entry's payload together with its own hash (but not the entries
// after it), as an attacker who knows the hash rule might.
MATCH (e:AuditEntry {seq: $seq})
SET e.payload = $payload, e.hash = $hash
