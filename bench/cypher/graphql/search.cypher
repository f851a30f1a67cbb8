// Plain counterpart of the workbench's search (WorkbenchSearch, no filters): the first 21
// parties whose name matches the Lucene $query (full-text index party_names), best first, with
// what the hit list's headline needs (records, bribery cases, stored measures).
CALL db.index.fulltext.queryNodes('party_names', $query) YIELD node, score
WITH node, score ORDER BY score DESC, node.party_id
LIMIT 21
RETURN score, labels(node) AS labels, properties(node) AS props,
  [(node)-[:HAS_RECORD]->(x:Record) | x {.record_key, .kind, .start, .end, .voided_on,
                                         .severity, .list, .category, .status}] AS records,
  [(node)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
     {case_no: k.case_no, role: x.role, closed_on: k.closed_on}] AS convictions,
  COUNT { (node)-[:PARTY_TO]->(:Case) } AS case_count,
  [(node)-[:HAS_MEASURE]->(m:Measure) | m.measure] AS measures
