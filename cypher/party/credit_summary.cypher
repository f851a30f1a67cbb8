// What a credit report summarises for each party: its records (the fields that decide
// activity and seriousness), its roles in bribery cases (the catalog's bribery_conviction
// variants say which roles are convictions), how many cases it is party to, and the names of
// its stored measures (one row per measure, as party/measures holds them): a report needs no
// second read for them.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
RETURN id,
  [(p)-[:HAS_RECORD]->(r:Record) | r {.record_key, .kind, .start, .end, .voided_on, .severity,
                                      .list, .category, .status}] AS records,
  [(p)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
      {case_no: k.case_no, role: x.role, closed_on: k.closed_on}] AS convictions,
  COUNT { (p)-[:PARTY_TO]->(:Case) } AS case_count,
  [(p)-[:HAS_MEASURE]->(m:Measure) | m.measure] AS measures
