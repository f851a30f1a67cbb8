// Every applied schema migration with the digest of its statements (null for migrations
// applied before digests were recorded).
MATCH (m:SchemaMigration)
RETURN m.version AS version, m.digest AS digest
ORDER BY version
