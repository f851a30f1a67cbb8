// Deletes every node except the schema's own bookkeeping, in batches so that a large graph
// does not need one huge transaction. Constraints and indexes stay.
MATCH (n) WHERE NOT n:SchemaMigration
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS
