// All shortest connections of at most 3 hops between two parties (ALL SHORTEST, searched
// from both ends), through relationships whose type is in $types and, when $on is set, active
// that day. A quantifier's bound cannot be a parameter, and filtering longer paths afterwards
// would let the search run on to the longest bound (on a city graph, through every hub), so
// there is one file per bound, explore/shortest_paths_1 … _6, identical but for it
// (tests/graphql/test_relations.py compares them). $limit caps the equally short paths.
// One row for a $source found: its own row as party/by_id gives it (`id`, `labels`, `props`),
// so that the connection view — the party and its paths — is one read (graph_service/gql/cards.py),
// and `paths`, each path a map of its `nodes`, `rels` and `summaries` (none when $target is
// not a party, or no path is that short).
// With $summaries, each node of a path comes with what its credit report needs, in the shape
// of a party/credit_summary row (null for a case, and for every node without $summaries).
// Without $dated (no field of the request asks for provenance.loadedAt) every node's and
// relationship's loaded_at comes as null: decoding that timestamp was most of the driver's
// work on a walk's rows.
MATCH (a:Party {party_id: $source})
OPTIONAL MATCH (b:Party {party_id: $target})
CALL (a, b) {
  MATCH p = ALL SHORTEST (a) (()-[r]-() WHERE type(r) IN $types
      AND ($on IS NULL OR ((r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)))
    ){1,3} (b)
  WITH p LIMIT $limit
  RETURN collect({
    nodes: [n IN nodes(p) | {labels: labels(n), props: CASE WHEN $dated THEN properties(n) ELSE n {.*, loaded_at: null} END}],
    rels: [x IN relationships(p) | {
      id: elementId(x), type: type(x), props: CASE WHEN $dated THEN properties(x) ELSE x {.*, loaded_at: null} END,
      source: CASE WHEN startNode(x):Case THEN startNode(x).case_no ELSE startNode(x).party_id END,
      target: CASE WHEN endNode(x):Case THEN endNode(x).case_no ELSE endNode(x).party_id END}],
    summaries: [n IN nodes(p) | CASE WHEN $summaries AND n:Party THEN {id: n.party_id,
        records: [(n)-[:HAS_RECORD]->(x:Record) | x {.record_key, .kind, .start, .end, .voided_on,
                                                    .severity, .list, .category, .status}],
        convictions: [(n)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
                        {case_no: k.case_no, role: x.role, closed_on: k.closed_on}],
        case_count: COUNT { (n)-[:PARTY_TO]->(:Case) },
        measures: [(n)-[:HAS_MEASURE]->(m:Measure) | m.measure]} END]}) AS paths
}
RETURN $source AS id, labels(a) AS labels, properties(a) AS props, paths
