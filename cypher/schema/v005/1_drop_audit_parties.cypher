// v003's synchronous full-text index on AuditEntry.parties_text, replaced by the eventually
// consistent audit_entry_parties (2_…). Dropped first (statements run in name order): CREATE
// … IF NOT EXISTS does nothing while an index on the same label and property exists.
DROP INDEX audit_parties IF EXISTS
