// Test helper (tests/graphql): stores measures the way the propagation does (docs/model.md),
// (:Party)-[:HAS_MEASURE]->(:Measure), and the party's risk score and measures date.
UNWIND $rows AS row
MATCH (p:Party {party_id: row.party_id})
SET p.risk_score = row.risk_score, p.measures_as_of = row.as_of
CREATE (p)-[:HAS_MEASURE]->(m:Measure)
SET m = row.props
RETURN count(m) AS created
