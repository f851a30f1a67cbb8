// Test helper: forgets that a migration was applied (its statements stay; they are idempotent).
MATCH (m:SchemaMigration {version: $version})
DELETE m
