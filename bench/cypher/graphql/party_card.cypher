// Plain counterpart of the workbench's party card (WorkbenchParty, bench/graphql_api.py): in
// one statement the party, what its credit summary is computed from (records, bribery cases,
// case count), its stored measures, its first 20 cases with the total, its legal
// representative and the newest propagation run (the measures' date).
MATCH (p:Party {party_id: $id})
RETURN labels(p) AS labels, properties(p) AS props,
  [(p)-[:HAS_RECORD]->(r:Record) | r {.record_key, .kind, .start, .end, .voided_on, .severity,
                                      .list, .category, .status}] AS records,
  [(p)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
      {case_no: k.case_no, role: x.role, closed_on: k.closed_on}] AS convictions,
  COLLECT { MATCH (p)-[:HAS_MEASURE]->(m:Measure)
            RETURN properties(m) ORDER BY m.measure, m.measure_key } AS measures,
  COUNT { (p)-[:PARTY_TO]->(:Case) } AS case_count,
  COLLECT { MATCH (p)-[x:PARTY_TO]->(k:Case)
            RETURN {role: x.role, case: properties(k)}
            ORDER BY k.filed_on DESC, k.case_no, x.role LIMIT 20 } AS cases,
  head(COLLECT { MATCH (p)<-[:LEGAL_REP_OF]-(r:Party)
                 RETURN {id: r.party_id, name: r.name} ORDER BY r.party_id }) AS legal_rep,
  head(COLLECT { MATCH (run:PropagationRun) RETURN run.as_of ORDER BY run.started_at DESC
                 LIMIT 1 }) AS measures_date
