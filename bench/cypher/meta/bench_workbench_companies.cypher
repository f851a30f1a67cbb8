// Benchmark helper (bench/graphql_api.py, bench/workbench.py): a random sample of companies
// that have shareholders (their ownership tree has at least one level).
MATCH (c:Company)
WHERE EXISTS { (c)<-[:HOLDS_SHARES]-(:Party) }
WITH c, rand() AS r ORDER BY r LIMIT $limit
RETURN c.party_id AS id, c.name AS name
