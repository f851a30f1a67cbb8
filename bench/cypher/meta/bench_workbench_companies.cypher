// Benchmark helper (bench/graphql_api.py): every company that has shareholders (its ownership
// tree has at least one level), by id (sampled by the benchmark's seeded generator).
MATCH (c:Company)
WHERE EXISTS { (c)<-[:HOLDS_SHARES]-(:Party) }
RETURN c.party_id AS id
ORDER BY id
