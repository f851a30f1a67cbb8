// Plain counterpart of bench/graphql_api.py's 2-hop scenario: two breadth-first steps from
// the party over the types in $types, each reading up to $limit rows, the first step's far
// ends capped at $max_nodes, with every edge and node read.
MATCH (a:Party {party_id: $id})
CALL (a) {
  MATCH (a)-[r]-(b)
  WHERE type(r) IN $types AND (b:Party OR b:Case)
  WITH r, b LIMIT $limit
  RETURN collect({id: elementId(r), type: type(r), props: properties(r),
                  source: coalesce(startNode(r).party_id, startNode(r).case_no),
                  target: coalesce(endNode(r).party_id, endNode(r).case_no)}) AS edges1,
         collect(DISTINCT b)[..$max_nodes] AS level1
}
CALL (a, level1) {
  UNWIND level1 AS b
  MATCH (b)-[r]-(c)
  WHERE type(r) IN $types AND (c:Party OR c:Case) AND c <> a
  WITH r, c LIMIT $limit
  RETURN collect({id: elementId(r), type: type(r), props: properties(r),
                  source: coalesce(startNode(r).party_id, startNode(r).case_no),
                  target: coalesce(endNode(r).party_id, endNode(r).case_no)}) AS edges2,
         collect(DISTINCT c) AS level2
}
RETURN edges1 + edges2 AS edges,
  [n IN level1 + level2 | {labels: labels(n), props: properties(n)}] AS nodes
