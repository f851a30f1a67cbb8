// One breadth-first step of a neighbourhood: the outgoing relationships of the frontier
// nodes (parties by party_id, cases by case_no) whose type is in $types and, when $on is
// set, which are active that day (since <= $on < until, a null bound being open). Only
// parties and cases are reached (records and contacts are attributes, not neighbours).
// $limit bounds the step; the caller asks for one row more than it can use to see truncation.
// With $summaries, each party reached comes with what its credit report needs, in the shape of
// a party/credit_summary row (null for a case, and for every node without $summaries): the
// picture's nodes then need no read after the walk.
// Without $dated (no field of the request asks for provenance.loadedAt) every node's and
// relationship's loaded_at comes as null: decoding that timestamp was most of the driver's
// work on a walk's rows.
CALL () {
  UNWIND $parties AS key
  MATCH (a:Party {party_id: key})
  RETURN a
  UNION
  UNWIND $cases AS key
  MATCH (a:Case {case_no: key})
  RETURN a
}
MATCH (a)-[r]->(b)
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
