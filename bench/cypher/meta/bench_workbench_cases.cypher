// Benchmark helper (bench/graphql_api.py): a random sample of cases with at least one party.
MATCH (k:Case)
WHERE EXISTS { (k)<-[:PARTY_TO]-(:Party) }
WITH k, rand() AS r ORDER BY r LIMIT $limit
RETURN k.case_no AS case_no
