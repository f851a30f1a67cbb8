// Plain counterpart of bench/graphql_api.py's issue-6 paths scenario: every shortest path of
// at most 6 hops between two parties over the types in $types (at most $limit), as node ids
// and relationship types.
MATCH (a:Party {party_id: $source}), (b:Party {party_id: $target})
MATCH p = ALL SHORTEST (a) (()-[r]-() WHERE type(r) IN $types){1,6} (b)
WITH p LIMIT $limit
RETURN [n IN nodes(p) | n.party_id] AS nodes, [x IN relationships(p) | type(x)] AS types
