// Plain counterpart of bench/graphql_api.py's issue-6 party scenario: the party, its stored
// measures and its ties of the types in $types (up to $limit rows, as the service's
// breadth-first step reads them), with the first $max_nodes parties and cases at their far end.
MATCH (a:Party {party_id: $id})
CALL (a) {
  MATCH (a)-[r]-(b)
  WHERE type(r) IN $types AND (b:Party OR b:Case)
  WITH r, b LIMIT $limit
  RETURN collect({id: elementId(r), type: type(r), props: properties(r),
                  source: coalesce(startNode(r).party_id, startNode(r).case_no),
                  target: coalesce(endNode(r).party_id, endNode(r).case_no)}) AS edges,
         collect(DISTINCT b)[..$max_nodes] AS others
}
RETURN properties(a) AS props,
  COLLECT { MATCH (a)-[:HAS_MEASURE]->(m:Measure)
            RETURN properties(m) ORDER BY m.measure, m.measure_key } AS measures,
  edges, [n IN others | {labels: labels(n), props: properties(n)}] AS nodes
