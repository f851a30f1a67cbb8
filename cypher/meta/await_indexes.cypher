// Waits until every index is online, so the first query after a migration can use them.
CALL db.awaitIndexes(300)
