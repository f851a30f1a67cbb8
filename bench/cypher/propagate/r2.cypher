// R2: the parties named in an active record of $r2.trigger_kinds (tax-violation case) in a
// role of $r2.named_roles get $r2.measures, once per (party, measure, record).
MATCH (:Party)-[:BENCH_ACTIVE]->(a:BenchActive)
WHERE a.kind IN $r2.trigger_kinds
MATCH (r:Record {record_key: a.record_key})<-[x:NAMED_IN]-(p:Party)
WHERE x.role IN $r2.named_roles
WITH DISTINCT p, a.record_key AS record_key
UNWIND $r2.measures AS name
CREATE (p)-[:BENCH_HAS]->(:BenchMeasure {
  party_id: p.party_id, measure: name, rule: $r2.rule_id, record_key: record_key})
RETURN count(*) AS measures
