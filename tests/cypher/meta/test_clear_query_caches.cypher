// Test helper: empties Neo4j's query caches. Its message says how many plans they held, so a
// test can count the plans some statements made (one a statement, whatever the batch size).
CALL db.clearQueryCaches() YIELD value
RETURN value
