// All shortest connections between two parties (ALL SHORTEST, searched from both ends),
// through relationships whose type is in $types and, when $on is set, active that day.
// The search never goes beyond 6 hops (the API's cap); paths longer than $max_hops are
// dropped, so a party farther than that is "not connected within $max_hops". $limit caps
// how many of the equally short paths are returned.
MATCH (a:Party {party_id: $source}), (b:Party {party_id: $target})
MATCH p = ALL SHORTEST (a) (()-[r]-() WHERE type(r) IN $types
    AND ($on IS NULL OR ((r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)))
  ){1,6} (b)
WHERE length(p) <= $max_hops
WITH p LIMIT $limit
RETURN
  [n IN nodes(p) | {labels: labels(n), props: properties(n)}] AS nodes,
  [x IN relationships(p) | {
    id: elementId(x), type: type(x), props: properties(x),
    source: CASE WHEN startNode(x):Case THEN startNode(x).case_no ELSE startNode(x).party_id END,
    target: CASE WHEN endNode(x):Case THEN endNode(x).case_no ELSE endNode(x).party_id END}] AS rels
