// Test helper: moves the audit head back to entry $seq, so that the chain ends there cleanly.
MATCH (h:AuditHead), (e:AuditEntry {seq: $seq})
SET h.seq = e.seq, h.hash = e.hash
