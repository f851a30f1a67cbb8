// §2: each active record gives its party the measures of its catalog variant.
MATCH (p:Party)-[:BENCH_ACTIVE]->(a:BenchActive)
UNWIND a.measures AS name
CREATE (p)-[:BENCH_HAS]->(:BenchMeasure {
  party_id: p.party_id, measure: name, record_key: a.record_key})
RETURN count(*) AS measures
