// Benchmark helper (bench/graphql_api.py): every case with at least one party, by number (the
// benchmark samples them with its own seeded generator, so that runs compare).
MATCH (k:Case)
WHERE EXISTS { (k)<-[:PARTY_TO]-(:Party) }
RETURN k.case_no AS case_no
ORDER BY case_no
