// The first step of a neighbourhood, from the one party $id: explore/expand_in's step (the
// incoming relationships of the types in $types, active on $on when set, up to $limit
// rows; its text from the pattern on, as tests/graphql/test_statement_copies.py checks) as
// the list `steps`, each item a row of that statement, with the party's own row as
// party/by_id gives it (`id`, `labels`, `props`): the network view — the party and its ties
// — is then one read, not the lookup and the step one after the other (graph_service/gql/
// cards.py read_neighbours). With $summaries, `credit` is the party's own credit summary in
// the shape of a party/credit_summary row, so that its ring needs no read either. One row for
// a party found (`steps` empty when it has no such ties), none for an unknown one.
MATCH (a:Party {party_id: $id})
OPTIONAL CALL (a) {
  MATCH (a)<-[r]-(b)
  WHERE type(r) IN $types AND (b:Party OR b:Case)
    AND ($on IS NULL OR ((r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)))
  WITH r, b LIMIT $limit
  RETURN elementId(r) AS id, type(r) AS type, CASE WHEN $dated THEN properties(r) ELSE r {.*, loaded_at: null} END AS props,
    CASE WHEN startNode(r):Case THEN startNode(r).case_no ELSE startNode(r).party_id END AS source,
    CASE WHEN endNode(r):Case THEN endNode(r).case_no ELSE endNode(r).party_id END AS target,
    {labels: labels(b), props: CASE WHEN $dated THEN properties(b) ELSE b {.*, loaded_at: null} END} AS other,
    CASE WHEN $summaries AND b:Party THEN {id: b.party_id,
      records: [(b)-[:HAS_RECORD]->(x:Record) | x {.record_key, .kind, .start, .end, .voided_on,
                                                  .severity, .list, .category, .status}],
      convictions: [(b)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
                      {case_no: k.case_no, role: x.role, closed_on: k.closed_on}],
      case_count: COUNT { (b)-[:PARTY_TO]->(:Case) },
      measures: [(b)-[:HAS_MEASURE]->(m:Measure) | m.measure]} END AS summary
}
WITH a, collect(CASE WHEN id IS NULL THEN null ELSE {id: id, type: type, props: props,
  source: source, target: target, other: other, summary: summary} END) AS steps
RETURN $id AS id, labels(a) AS labels, properties(a) AS props,
  CASE WHEN $summaries THEN {id: a.party_id,
    records: [(a)-[:HAS_RECORD]->(x:Record) | x {.record_key, .kind, .start, .end, .voided_on,
                                                .severity, .list, .category, .status}],
    convictions: [(a)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
                    {case_no: k.case_no, role: x.role, closed_on: k.closed_on}],
    case_count: COUNT { (a)-[:PARTY_TO]->(:Case) },
    measures: [(a)-[:HAS_MEASURE]->(m:Measure) | m.measure]} END AS credit,
  steps
