// The audit entries of one kind, in chain order.
MATCH (e:AuditEntry {kind: $kind})
RETURN e.seq AS seq, e.payload AS payload, e.actor_key_id AS key_id
ORDER BY e.seq
