// Upserts the :Record each row owns (every registry of credit records shares this shape; see
// docs/model.md) with its subject (HAS_RECORD), the persons named in it (NAMED_IN) and its
// case (CONCERNS_CASE). Outcome per row as in load/companies. A changed record gets its
// derived links anew; its status comes from its updates (load/apply_record_updates) and is
// kept here. `updates_pending` lists the changed lines whose ref some :RecordUpdate carries:
// only those need load/link_pending_updates and load/apply_record_updates (HAS_UPDATE joins a
// record and an update of the same ref, and neither's ref ever changes: it is in their keys),
// so a batch of records nobody has updated skips both statements. `detached`: the parties an
// updated record was linked to before (subject, named persons; read before the CALL deletes
// the links), which the engine records on the :Load for the propagation after the load.
UNWIND $batch.rows AS row
MERGE (r:Record {record_key: row.record_key})
WITH row, r, r.row_hash AS old_hash,
     CASE WHEN r.row_hash <> row.row_hash THEN properties(r) END AS old
WITH row, r, old, CASE WHEN old_hash IS NULL THEN 'created'
                       WHEN old_hash = row.row_hash THEN 'unchanged'
                       ELSE 'updated' END AS outcome
WITH row, r, old, outcome,
     CASE WHEN outcome = 'updated'
          THEN COLLECT { MATCH (was:Party)-[:HAS_RECORD|NAMED_IN]->(r) RETURN was.party_id }
          ELSE [] END AS detached
CALL (row, r, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET r += row.props, r += $prov, r.src_row = row.line, r.row_hash = row.row_hash,
      r.start = date(row.start),
      r.end = date(row.end),
      r.status = coalesce(r.status, 'active')
  WITH row, r
  OPTIONAL MATCH (r)-[stale:HAS_RECORD|NAMED_IN|CONCERNS_CASE]-(:Party|Case)
  DELETE stale
  WITH DISTINCT row, r
  MATCH (s:Party {party_id: row.subject_id})
  MERGE (s)-[h:HAS_RECORD]->(r)
  SET h += $prov, h.src_row = row.line
  WITH row, r
  CALL (row, r) {
    UNWIND row.named AS named
    MATCH (p:Party {party_id: named.id})
    MERGE (p)-[n:NAMED_IN {role: named.role}]->(r)
    SET n += $prov, n.src_row = row.line
  }
  CALL (row, r) {
    MATCH (k:Case {case_no: row.concerns_case})
    MERGE (r)-[c:CONCERNS_CASE]->(k)
    SET c += $prov, c.src_row = row.line
  }
}
WITH row, r, old, outcome, detached,
     CASE WHEN outcome <> 'unchanged'
          THEN EXISTS { (:RecordUpdate {record_ref: row.ref}) } ELSE false END AS pending
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(r), old: old} END) AS history,
       collect(CASE WHEN pending THEN row.line END) AS updates_pending,
       reduce(all = [], ids IN collect(detached) | all + ids) AS detached
