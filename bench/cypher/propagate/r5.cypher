// R5: a party with an active conviction in a role of $r5.conviction_roles (briber): itself
// if a company, the companies it is active legal representative of, and the companies it
// controls through chains get $r5.measures, once per (company, measure, conviction).
MATCH (b:Party)-[:BENCH_ACTIVE]->(a:BenchActive {kind: $conviction_kind})
WHERE a.role IN $r5.conviction_roles
CALL (b) {
  RETURN b AS c
  UNION
  MATCH (b)-[x:LEGAL_REP_OF]->(c:Party)
  WHERE (x.since IS NULL OR x.since <= $as_of) AND (x.until IS NULL OR $as_of < x.until)
  RETURN c
  UNION
  MATCH (b)-[:BENCH_CONTROLS*1..]->(c:Party)
  RETURN c
}
WITH DISTINCT c, a.record_key AS record_key
WHERE c.kind = 'company'
UNWIND $r5.measures AS name
CREATE (c)-[:BENCH_HAS]->(:BenchMeasure {
  party_id: c.party_id, measure: name, rule: $r5.rule_id, record_key: record_key})
RETURN count(*) AS measures
