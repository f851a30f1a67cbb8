// R1: a company with an active record of $r1.trigger_kinds (dishonest-debtor listing):
// its legal representative (if $r1.legal_rep), its officers in $r1.officer_roles and its
// controllers through chains (if $r1.controllers) — the persons among them — get
// $r1.measures, once per (person, measure, listing).
MATCH (c:Party {kind: 'company'})-[:BENCH_ACTIVE]->(a:BenchActive)
WHERE a.kind IN $r1.trigger_kinds
CALL (c) {
  MATCH (p:Party)-[x:LEGAL_REP_OF]->(c)
  WHERE $r1.legal_rep
    AND (x.since IS NULL OR x.since <= $as_of) AND (x.until IS NULL OR $as_of < x.until)
  RETURN p
  UNION
  MATCH (p:Party)-[x:OFFICER_OF]->(c)
  WHERE x.role IN $r1.officer_roles
    AND (x.since IS NULL OR x.since <= $as_of) AND (x.until IS NULL OR $as_of < x.until)
  RETURN p
  UNION
  MATCH (p:Party)-[:BENCH_CONTROLS*1..]->(c)
  WHERE $r1.controllers
  RETURN p
}
WITH DISTINCT p, a.record_key AS record_key
WHERE p.kind = 'person'
UNWIND $r1.measures AS name
CREATE (p)-[:BENCH_HAS]->(:BenchMeasure {
  party_id: p.party_id, measure: name, rule: $r1.rule_id, record_key: record_key})
RETURN count(*) AS measures
