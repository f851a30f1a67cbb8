// Every breadth-first step of an ownership tree, up to $steps of them, in one statement: the
// holders (UP) ties of the frontier whose type is in $types and, when $on is set, active that day (a
// step as explore/expand_in reads it, at most $limit rows), the first step from $party, each
// next one from the parties the step before reached that no step had reached before, each once,
// in the order first reached, as many as the view still holds (it holds the root and at most
// $max_nodes nodes). A step's `start` is the frontier it read from; the walk stops at an empty
// frontier. The caller uses a step after the first only when its own frontier equals the
// step's `start` and the step was not cut by $limit; else it reads that step itself
// (graph_service/gql/ownership.py). One round trip for the whole tree, where each level was
// one more in sequence. The row holds $party's own row as party/by_id gives it (`id`, `labels`,
// `props`), and with $control what explore/control_chains gives for $party as of $on
// (`control`; its text is the same, tests/graphql/test_statement_copies.py), so that the
// ownership view — the party, its tree and its controllers — is one read
// (graph_service/gql/cards.py); without $control, `control` is null.
// Without $dated (no field of the request asks for provenance.loadedAt) every node's and
// relationship's loaded_at comes as null: decoding that timestamp was most of the driver's
// work on a walk's rows.
MATCH (root:Party {party_id: $party})
WITH root, reduce(walk = {seen: [$party], frontier: [$party], steps: []}, level IN range(1, $steps) |
  CASE WHEN size(walk.frontier) = 0 THEN walk ELSE [rows IN [COLLECT {
    UNWIND walk.frontier AS key
    MATCH (a:Party {party_id: key})<-[r]-(b)
    WHERE type(r) IN $types AND (b:Party OR b:Case)
      AND ($on IS NULL OR ((r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)))
    WITH r, b LIMIT $limit
    RETURN {id: elementId(r), type: type(r), props: CASE WHEN $dated THEN properties(r) ELSE r {.*, loaded_at: null} END,
      source: CASE WHEN startNode(r):Case THEN startNode(r).case_no ELSE startNode(r).party_id END,
      target: CASE WHEN endNode(r):Case THEN endNode(r).case_no ELSE endNode(r).party_id END,
      other: {labels: labels(b), props: CASE WHEN $dated THEN properties(b) ELSE b {.*, loaded_at: null} END}}
  }] |
    [next IN [reduce(found = [], key IN [row IN rows | row.other.props.party_id] |
                CASE WHEN key IN found OR key IN walk.seen THEN found ELSE found + key END)
              [..$max_nodes - size(walk.seen)]] |
      {seen: walk.seen + next, frontier: next,
       steps: walk.steps + [{start: walk.frontier, rows: rows}]}][0]][0] END) AS walk
CALL (root) {
  WITH root AS c WHERE $control
  OPTIONAL MATCH p = (c) ((x)<-[r:HOLDS_SHARES]-(h)
      WHERE (r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)
        AND reduce(total = 0.0, stake IN [(h)-[y:HOLDS_SHARES]->(x)
              WHERE (y.since IS NULL OR y.since <= $on) AND (y.until IS NULL OR y.until > $on)
              | coalesce(y.stake_pct, 0.0)] | total + stake) > $majority_pct){1,10} (:Party)
  WITH p LIMIT 1000
  UNWIND CASE WHEN p IS NULL THEN [] ELSE relationships(p) END AS r
  WITH DISTINCT startNode(r) AS h, endNode(r) AS x
  MATCH (h)-[y:HOLDS_SHARES]->(x)
  WHERE (y.since IS NULL OR y.since <= $on) AND (y.until IS NULL OR y.until > $on)
  RETURN collect(DISTINCT h) AS holders,
         collect({holder: h.party_id, company: x.party_id, props: properties(y)}) AS holdings
}
WITH root, walk, holdings, [root] + [h IN holders WHERE h <> root] AS members
RETURN $party AS id, labels(root) AS labels, properties(root) AS props, walk.steps AS steps,
  CASE WHEN $control THEN {id: $party,
    members: [n IN members | {labels: labels(n), props: properties(n)}],
    holdings: holdings,
    officers: [n IN members | [(n)<-[o:OFFICER_OF]-(q:Party)
      WHERE o.role IN $roles
        AND (o.since IS NULL OR o.since <= $on) AND (o.until IS NULL OR o.until > $on) |
      {holder: q.party_id, company: n.party_id, props: properties(o),
       party: {labels: labels(q), props: properties(q)}}]]} END AS control
