// Natural key of SchemaMigration: one node per version.
CREATE CONSTRAINT schema_migration_version_unique IF NOT EXISTS
FOR (n:SchemaMigration) REQUIRE n.version IS UNIQUE
