// Every measure the Cypher-only propagation produced, for the comparison (not timed).
MATCH (m:BenchMeasure)
RETURN m.party_id AS party_id, m.measure AS measure, m.rule AS rule,
       m.record_key AS record_key
