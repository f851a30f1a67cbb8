// The first two breadth-first steps of an ownership tree in one statement: the holders (UP)
// ties of $party whose type is in $types and, when $on is set, active that day (one step
// as explore/expand_in reads it), then the same step for the frontier that step reaches:
// the parties reached, each once, in the order first reached, not $party itself, at most
// $max_nodes - 1 (the view holds the root and at most $max_nodes nodes). Each step reads at
// most $limit rows. The caller uses `second` only when its own frontier equals `frontier` and
// the step was not cut by $limit; else it reads that step itself (graph_service/gql/ownership.py).
// Without $dated (no field of the request asks for provenance.loadedAt) every node's and
// relationship's loaded_at comes as null: decoding that timestamp was most of the driver's
// work on a walk's rows.
MATCH (root:Party {party_id: $party})
CALL (root) {
  MATCH (root)<-[r]-(b)
  WHERE type(r) IN $types AND (b:Party OR b:Case)
    AND ($on IS NULL OR ((r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)))
  WITH r, b LIMIT $limit
  RETURN collect({id: elementId(r), type: type(r), props: CASE WHEN $dated THEN properties(r) ELSE r {.*, loaded_at: null} END,
    source: CASE WHEN startNode(r):Case THEN startNode(r).case_no ELSE startNode(r).party_id END,
    target: CASE WHEN endNode(r):Case THEN endNode(r).case_no ELSE endNode(r).party_id END,
    other: {labels: labels(b), props: CASE WHEN $dated THEN properties(b) ELSE b {.*, loaded_at: null} END}}) AS first,
    collect(b.party_id) AS reached
}
WITH first, reduce(found = [], key IN reached |
       CASE WHEN key IN found OR key = $party THEN found ELSE found + key END)[..$max_nodes - 1]
     AS frontier
CALL (frontier) {
  UNWIND frontier AS key
  MATCH (a:Party {party_id: key})<-[r]-(b)
  WHERE type(r) IN $types AND (b:Party OR b:Case)
    AND ($on IS NULL OR ((r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)))
  WITH r, b LIMIT $limit
  RETURN collect({id: elementId(r), type: type(r), props: CASE WHEN $dated THEN properties(r) ELSE r {.*, loaded_at: null} END,
    source: CASE WHEN startNode(r):Case THEN startNode(r).case_no ELSE startNode(r).party_id END,
    target: CASE WHEN endNode(r):Case THEN endNode(r).case_no ELSE endNode(r).party_id END,
    other: {labels: labels(b), props: CASE WHEN $dated THEN properties(b) ELSE b {.*, loaded_at: null} END}}) AS second
}
RETURN first, frontier, second
