// Where the status update that voided each given record came from (its `source`: repair or
// objection when a decision wrote it, null for a registry row): the reason a run's change log
// gives for a measure lost because its record was repaired, revoked or removed.
UNWIND $batch.keys AS key
MATCH (r:Record {record_key: key})-[:HAS_UPDATE]->(u:RecordUpdate)
WHERE u.effective_on = r.voided_on AND u.status IN $statuses
WITH key, u ORDER BY u.update_key
RETURN key AS record_key, head(collect(u.source)) AS source
