// Lookup/filter of AuditEntry by time (`audit export --since`).
CREATE RANGE INDEX audit_entry_at IF NOT EXISTS
FOR (n:AuditEntry) ON (n.at)
