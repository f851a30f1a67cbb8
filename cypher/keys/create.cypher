// Stores new API keys (id, name, role, SHA-256 of the key — never the key), in the
// transaction of their audit entries. CREATE, not MERGE: the uniqueness constraints on
// key_id and name refuse a duplicate.
UNWIND $rows AS row
CREATE (k:ApiKey)
SET k = row
