// The highest applied schema migration, or null on a graph never migrated.
OPTIONAL MATCH (m:SchemaMigration)
RETURN max(m.version) AS version
