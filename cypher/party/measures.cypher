// The stored measures (written by the propagation) of each party, most severe first is the
// client's business: here they come in a stable order, by measure and key.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[:HAS_MEASURE]->(m:Measure)
WITH id, m ORDER BY m.measure, m.measure_key
RETURN id, collect(properties(m)) AS items
