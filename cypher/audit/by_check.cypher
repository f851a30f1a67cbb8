// The audit entries of one check (the check itself, feedback on it, views of it).
MATCH (e:AuditEntry {check_id: $check_id})
RETURN e {.*} AS entry
ORDER BY e.seq
