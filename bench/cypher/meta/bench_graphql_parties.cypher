// Benchmark helper (bench/graphql_api.py): how many parties the graph holds (label count store).
MATCH (p:Party)
RETURN count(p) AS parties
