// Test helper: the stored explanation paths of a party's measures.
MATCH (:Party {party_id: $party_id})-[:HAS_MEASURE]->(m:Measure)
RETURN m.measure AS measure, m.rule AS rule, m.path_json AS path_json
