// Natural key of Measure: one stored measure per (party, measure, rule, record, path).
CREATE CONSTRAINT measure_measure_key_unique IF NOT EXISTS
FOR (n:Measure) REQUIRE n.measure_key IS UNIQUE
