// Benchmark helper (bench/graphql_api.py): a random sample of named parties that have ties an
// investigator would walk (holdings, officer roles, legal representation).
MATCH (p:Party)
WHERE p.name IS NOT NULL AND EXISTS { (p)-[:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF]-(:Party) }
WITH p, rand() AS r ORDER BY r LIMIT $limit
RETURN p.party_id AS id, p.name AS name, p.kind AS kind
