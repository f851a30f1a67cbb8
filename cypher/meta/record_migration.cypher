// Marks a schema migration as applied; MERGE keeps it idempotent.
MERGE (m:SchemaMigration {version: $version})
ON CREATE SET m.applied_at = datetime(), m.statements = $statements
RETURN m.version AS version
