// Test helper: deletes one audit entry, so that `audit verify` must find the gap.
MATCH (e:AuditEntry {seq: $seq})
DELETE e
