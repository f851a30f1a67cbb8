// R4: every party reached from a company by a chain of active BRANCH_OF links (a branch, a
// branch of a branch …) inherits every measure the company has from the other rules, as
// rule $r4.rule_id with the same measure name and origin record. Runs last.
MATCH (b:Party)-[links:BRANCH_OF*1..]->(a:Party)
WHERE b <> a
  AND all(x IN links WHERE (x.since IS NULL OR x.since <= $as_of)
                       AND (x.until IS NULL OR $as_of < x.until))
WITH DISTINCT b, a
MATCH (a)-[:BENCH_HAS]->(m:BenchMeasure)
WHERE coalesce(m.rule, '') <> $r4.rule_id
WITH DISTINCT b, m.measure AS name, m.record_key AS record_key
CREATE (b)-[:BENCH_HAS]->(:BenchMeasure {
  party_id: b.party_id, measure: name, rule: $r4.rule_id, record_key: record_key})
RETURN count(*) AS measures
