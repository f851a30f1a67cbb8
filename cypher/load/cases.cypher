// Upserts the case each row owns (:Case) and its HEARD_BY link to the court when the row
// names the court's USCC. Outcome per row as in load/companies; a case first known from a
// referring row (known_only_from) is completed and the mark cleared.
UNWIND $batch.rows AS row
MERGE (k:Case {case_no: row.case_no})
WITH row, k, k.row_hash AS old_hash,
     CASE WHEN k.row_hash <> row.row_hash THEN properties(k) END AS old
WITH row, k, old, CASE WHEN old_hash IS NULL THEN 'created'
                       WHEN old_hash = row.row_hash THEN 'unchanged'
                       ELSE 'updated' END AS outcome
CALL (row, k, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET k += row.props, k += $prov, k.src_row = row.line, k.row_hash = row.row_hash,
      k.filed_on = date(row.filed_on),
      k.closed_on = date(row.closed_on)
  REMOVE k.known_only_from
  WITH row, k
  OPTIONAL MATCH (k)-[stale:HEARD_BY]->()
  DELETE stale
  WITH DISTINCT row, k
  MATCH (court:Party {party_id: row.props.court_uscc})
  MERGE (k)-[h:HEARD_BY]->(court)
  SET h += $prov, h.src_row = row.line
}
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(k), old: old} END) AS history
