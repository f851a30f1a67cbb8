// Test helper: deletes the audit entries after $seq and the checks they recorded, as an
// attacker hiding the newest checks entirely would.
MATCH (e:AuditEntry)
WHERE e.seq > $seq
OPTIONAL MATCH (c:Check {check_id: e.check_id})
WHERE e.kind = 'check'
DETACH DELETE e, c
