// Recomputes status and voided_on of the records with the given refs from all their updates:
// status is the latest update's (by effective_on, then key), 'active' without updates;
// voided_on is the earliest effective_on among repaired / revoked / removed updates. Only a
// record whose values change is written, with the provenance of its latest update.
// A record without updates is skipped at once: it is 'active' with no voided_on from its
// creation (load/records) and nothing else sets its status, so there is nothing to recompute
// (most rows of a records file, whose updates come later if at all).
UNWIND $batch.rows AS row
WITH DISTINCT coalesce(row.ref, row.record_ref) AS ref
MATCH (r:Record {ref: ref})
WHERE EXISTS { (r)-[:HAS_UPDATE]->(:RecordUpdate) }
OPTIONAL MATCH (r)-[:HAS_UPDATE]->(u:RecordUpdate)
WITH r, u ORDER BY u.effective_on, u.update_key
WITH r, collect(u) AS updates
WITH r, last(updates) AS latest,
     head([u IN updates WHERE u.status IN ['repaired', 'revoked', 'removed'] | u.effective_on])
       AS voided_on
WITH r, latest, voided_on, coalesce(latest.status, 'active') AS status
WHERE r.status IS NULL OR r.status <> status
   OR coalesce(r.voided_on, date('0001-01-01')) <> coalesce(voided_on, date('0001-01-01'))
SET r.status = status, r.voided_on = voided_on
FOREACH (src IN CASE WHEN latest IS NULL THEN [] ELSE [latest] END |
  SET r.src_kind = src.src_kind, r.src_file = src.src_file, r.src_row = src.src_row,
      r.load_id = src.load_id, r.loaded_at = src.loaded_at)
