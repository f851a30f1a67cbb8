// The party card in one read (graph_service/gql/cards.py): the party as party/by_id gives it
// and, for each list the request selects, what that list's own statement gives for the party
// (null when not asked; a CASE reads only the lists asked for):
// $credit (boolean): party/credit_summary's columns;
// $measures (boolean): party/measures' items (the stored measures, by measure and key);
// $cases ({offset, limit, roles} or null): party/cases' page, newest filed first;
// $legal_rep ({offset, limit} or null): party/legal_rep's page (start: the representative);
// $latest_run (boolean): propagation/last_runs' newest run (the measures' date);
// $tie_counts ({on} or null): party/tie_counts' counts (the same list, counted the same way).
// Each list's order is its own statement's, so a page holds the same items.
// Without $dated (no field of the request asks for provenance.loadedAt) every node's and
// relationship's loaded_at comes as null (graph_service/gql/context.py, DatedReads).
MATCH (p:Party {party_id: $id})
WITH p,
  CASE WHEN $cases IS NOT NULL THEN COLLECT {
    MATCH (p)-[x:PARTY_TO]->(k:Case)
    WHERE $cases.roles IS NULL OR x.role IN $cases.roles
    WITH x, k ORDER BY k.filed_on DESC, k.case_no, x.role
    RETURN {rel: CASE WHEN $dated THEN properties(x) ELSE x {.*, loaded_at: null} END, case: CASE WHEN $dated THEN properties(k) ELSE k {.*, loaded_at: null} END}
  } END AS cases,
  CASE WHEN $legal_rep IS NOT NULL THEN COLLECT {
    MATCH (p)<-[x:LEGAL_REP_OF]-(r:Party)
    WITH x, r ORDER BY r.party_id
    RETURN {rel: CASE WHEN $dated THEN properties(x) ELSE x {.*, loaded_at: null} END, start: {labels: labels(r), props: CASE WHEN $dated THEN properties(r) ELSE r {.*, loaded_at: null} END}}
  } END AS legal_reps
RETURN $id AS id, labels(p) AS labels, CASE WHEN $dated THEN properties(p) ELSE p {.*, loaded_at: null} END AS props,
  CASE WHEN $credit THEN {
    records: [(p)-[:HAS_RECORD]->(r:Record) | r {.record_key, .kind, .start, .end, .voided_on,
                                                  .severity, .list, .category, .status}],
    convictions: [(p)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
                     {case_no: k.case_no, role: x.role, closed_on: k.closed_on}],
    case_count: COUNT { (p)-[:PARTY_TO]->(:Case) },
    measures: [(p)-[:HAS_MEASURE]->(m:Measure) | m.measure]
  } END AS credit,
  CASE WHEN $measures THEN COLLECT {
    MATCH (p)-[:HAS_MEASURE]->(m:Measure)
    WITH m ORDER BY m.measure, m.measure_key
    RETURN CASE WHEN $dated THEN properties(m) ELSE m {.*, loaded_at: null} END
  } END AS measures,
  size(cases) AS case_total,
  cases[$cases.offset..$cases.offset + $cases.limit] AS case_items,
  size(legal_reps) AS legal_rep_total,
  legal_reps[$legal_rep.offset..$legal_rep.offset + $legal_rep.limit] AS legal_rep_items,
  CASE WHEN $tie_counts IS NOT NULL THEN [
  {type: 'HOLDS_SHARES', direction: 'OUT', count: COUNT { (p)-[x:HOLDS_SHARES]->(:Party)
     WHERE $tie_counts.on IS NULL OR ((x.since IS NULL OR x.since <= $tie_counts.on) AND (x.until IS NULL OR x.until > $tie_counts.on)) }},
  {type: 'HOLDS_SHARES', direction: 'IN', count: COUNT { (p)<-[x:HOLDS_SHARES]-(:Party)
     WHERE $tie_counts.on IS NULL OR ((x.since IS NULL OR x.since <= $tie_counts.on) AND (x.until IS NULL OR x.until > $tie_counts.on)) }},
  {type: 'OFFICER_OF', direction: 'OUT', count: COUNT { (p)-[x:OFFICER_OF]->(:Party)
     WHERE $tie_counts.on IS NULL OR ((x.since IS NULL OR x.since <= $tie_counts.on) AND (x.until IS NULL OR x.until > $tie_counts.on)) }},
  {type: 'OFFICER_OF', direction: 'IN', count: COUNT { (p)<-[x:OFFICER_OF]-(:Party)
     WHERE $tie_counts.on IS NULL OR ((x.since IS NULL OR x.since <= $tie_counts.on) AND (x.until IS NULL OR x.until > $tie_counts.on)) }},
  {type: 'EMPLOYED_AT', direction: 'OUT', count: COUNT { (p)-[x:EMPLOYED_AT]->(:Party)
     WHERE $tie_counts.on IS NULL OR ((x.since IS NULL OR x.since <= $tie_counts.on) AND (x.until IS NULL OR x.until > $tie_counts.on)) }},
  {type: 'EMPLOYED_AT', direction: 'IN', count: COUNT { (p)<-[x:EMPLOYED_AT]-(:Party)
     WHERE $tie_counts.on IS NULL OR ((x.since IS NULL OR x.since <= $tie_counts.on) AND (x.until IS NULL OR x.until > $tie_counts.on)) }},
  {type: 'LEGAL_REP_OF', direction: 'OUT', count: COUNT { (p)-[:LEGAL_REP_OF]->(:Party) }},
  {type: 'LEGAL_REP_OF', direction: 'IN', count: COUNT { (p)<-[:LEGAL_REP_OF]-(:Party) }},
  {type: 'BRANCH_OF', direction: 'OUT', count: COUNT { (p)-[:BRANCH_OF]->(:Party) }},
  {type: 'BRANCH_OF', direction: 'IN', count: COUNT { (p)<-[:BRANCH_OF]-(:Party) }},
  {type: 'SHARES_CONTACT', direction: 'BOTH', count: COUNT { (p)-[:SHARES_CONTACT]-(:Party) }},
  {type: 'PARTY_TO', direction: 'OUT', count: COUNT { (p)-[:PARTY_TO]->(:Case) }},
  {type: 'HANDLED', direction: 'OUT', count: COUNT { (p)-[:HANDLED]->(:Case) }},
  {type: 'INTERVENED_IN', direction: 'OUT', count: COUNT { (p)-[:INTERVENED_IN]->(:Case) }}
  ] END AS tie_counts,
  CASE WHEN $latest_run THEN COLLECT {
    MATCH (r:PropagationRun)
    WITH r ORDER BY r.started_at DESC LIMIT 1
    RETURN r {.*}
  } END AS latest_run
