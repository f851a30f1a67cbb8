// Plain counterpart of the workbench's connection search (WorkbenchPaths, maxHops 6): every
// shortest path of at most 6 hops between two parties over the party-to-party ties in $types
// (searched as explore/shortest_paths_6 searches), at most $limit of them, with what each
// party's ring on the picture needs (records, bribery cases, stored measures).
MATCH (a:Party {party_id: $source}), (b:Party {party_id: $target})
MATCH p = ALL SHORTEST (a) (()-[r]-() WHERE type(r) IN $types){1,6} (b)
WITH p LIMIT $limit
RETURN
  [n IN nodes(p) | {labels: labels(n), props: properties(n),
    records: [(n)-[:HAS_RECORD]->(x:Record) | x {.record_key, .kind, .start, .end, .voided_on,
                                                  .severity, .list, .category, .status}],
    convictions: [(n)-[x:PARTY_TO]->(k:Case {case_type: 'bribery'}) |
                    {case_no: k.case_no, role: x.role, closed_on: k.closed_on}],
    measures: [(n)-[:HAS_MEASURE]->(m:Measure) | m.measure]}] AS nodes,
  [x IN relationships(p) | {id: elementId(x), type: type(x), props: properties(x),
    source: startNode(x).party_id, target: endNode(x).party_id}] AS rels
