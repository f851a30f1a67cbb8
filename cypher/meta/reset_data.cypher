// Deletes every node except the schema's own bookkeeping, in batches so that a large graph
// does not need one huge transaction (2,000 rows: a batch of hubs with their relationships
// must fit the memory pool of a 1 GiB test server). Constraints and indexes stay.
MATCH (n) WHERE NOT n:SchemaMigration
CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 2000 ROWS
