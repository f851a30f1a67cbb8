// Lookup of the audit entries of one check (`audit show --check`).
CREATE RANGE INDEX audit_entry_check_id IF NOT EXISTS
FOR (n:AuditEntry) ON (n.check_id)
