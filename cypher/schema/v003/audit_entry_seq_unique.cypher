// Natural key of AuditEntry: its position in the hash chain. Two writers can never both
// write entry N: the second transaction fails instead of forking the chain.
CREATE CONSTRAINT audit_entry_seq_unique IF NOT EXISTS
FOR (n:AuditEntry) REQUIRE n.seq IS UNIQUE
