// Upserts the person each row owns (:Party:Person). Outcome per row as in load/companies:
// unchanged rows write nothing; others replace the properties and clear known_only_from.
UNWIND $batch.rows AS row
MERGE (p:Party {party_id: row.id_number})
ON CREATE SET p:Person, p.kind = 'person', p.id_number = row.id_number
WITH row, p, p.row_hash AS old_hash,
     CASE WHEN p.row_hash <> row.row_hash THEN properties(p) END AS old
WITH row, p, old, CASE WHEN old_hash IS NULL THEN 'created'
                       WHEN old_hash = row.row_hash THEN 'unchanged'
                       ELSE 'updated' END AS outcome
CALL (row, p, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET p += row.props, p += $prov, p.src_row = row.line, p.row_hash = row.row_hash,
      p.birth_date = date(row.birth_date)
  REMOVE p.known_only_from
}
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(p), old: old} END) AS history
