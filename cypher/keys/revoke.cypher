// Revokes keys by name, in the transaction of their audit entries; a key revoked earlier
// keeps its first revocation time.
UNWIND $rows AS row
MATCH (k:ApiKey {name: row.name})
SET k.revoked_at = coalesce(k.revoked_at, row.revoked_at)
