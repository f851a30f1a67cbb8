// Records the digest of an applied migration: `db migrate` fills it in for migrations applied
// before digests were recorded (trusting what is shipped at that moment).
MATCH (m:SchemaMigration {version: $version})
SET m.digest = $digest
