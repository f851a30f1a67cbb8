// Stores gained or changed measures and links them to their party. Idempotent (MERGE on
// measure_key), so a retried batch writes the same thing once.
UNWIND $batch.rows AS row
MATCH (p:Party {party_id: row.party_id})
MERGE (m:Measure {measure_key: row.measure_key})
SET m += row.props, m.run_id = $run_id, m.computed_at = $at, m.catalog_version = $catalog_version
MERGE (p)-[:HAS_MEASURE]->(m)
