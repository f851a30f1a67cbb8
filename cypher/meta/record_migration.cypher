// Marks a schema migration as applied, with the digest of the statements applied (so that a
// migration changed after it was applied is noticed); MERGE keeps it idempotent.
MERGE (m:SchemaMigration {version: $version})
ON CREATE SET m.applied_at = datetime(), m.statements = $statements, m.digest = $digest
RETURN m.version AS version
