// Upserts the :RecordUpdate each row owns, keyed record_ref|status|effective_on. Linking it
// to its records and recomputing their status are load/link_pending_updates and
// load/apply_record_updates, which also run when the records arrive later. Outcome per row as
// in load/companies.
UNWIND $batch.rows AS row
MERGE (u:RecordUpdate {update_key: row.record_ref + '|' + row.status + '|' + row.effective_on})
WITH row, u, u.row_hash AS old_hash,
     CASE WHEN u.row_hash <> row.row_hash THEN properties(u) END AS old
WITH row, u, old, CASE WHEN old_hash IS NULL THEN 'created'
                       WHEN old_hash = row.row_hash THEN 'unchanged'
                       ELSE 'updated' END AS outcome
CALL (row, u, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET u += row.props, u += $prov, u.src_row = row.line, u.row_hash = row.row_hash,
      u.effective_on = date(row.effective_on)
}
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(u), old: old} END) AS history
