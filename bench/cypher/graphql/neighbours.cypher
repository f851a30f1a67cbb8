// Plain counterpart of the workbench's network (WorkbenchNeighbours, depth 1): the party's
// ties of the types in $types (past and present), read up to $limit rows as the service's
// breadth-first step does, and for the first $max_nodes parties and cases at their far end
// what their ring on the picture needs (records, bribery cases, stored measures), the party's
// own included.
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
RETURN edges,
  [n IN [a] + others | {labels: labels(n), props: properties(n),
    records: [(n)-[:HAS_RECORD]->(x:Record) | x {.record_key, .kind, .start, .end, .voided_on,
                                                  .severity, .list, .category, .status}],
    convictions: [(n)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
                    {case_no: k.case_no, role: x.role, closed_on: k.closed_on}],
    measures: [(n)-[:HAS_MEASURE]->(m:Measure) | m.measure]}] AS nodes
