// Benchmark helper (bench/graphql_api.py, bench/workbench.py): every named party with ties an
// investigator would walk (holdings, officer roles, legal representation), by id (sampled by
// the benchmark's seeded generator, so that two runs ask about the same parties).
MATCH (p:Party)
WHERE p.name IS NOT NULL AND EXISTS { (p)-[:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF]-(:Party) }
RETURN p.party_id AS id, p.name AS name, p.kind AS kind
ORDER BY id
