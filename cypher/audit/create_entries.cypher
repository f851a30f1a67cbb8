// Appends chained audit entries (seq, hash and prev_hash computed by the writer under the
// head's lock). CREATE, never MERGE: the seq constraint refuses a second entry N.
UNWIND $rows AS row
CREATE (e:AuditEntry)
SET e = row
