// Upserts (:Person:Official)-[:EMPLOYED_AT {position, rank, since, until}]->(agency), one
// relationship per (person, agency), and labels the person :Official. Outcome per row as in
// load/companies.
UNWIND $batch.rows AS row
MATCH (p:Party {party_id: row.id_number})
MATCH (a:Party {party_id: row.agency_uscc})
MERGE (p)-[r:EMPLOYED_AT]->(a)
WITH row, p, r, r.row_hash AS old_hash,
     CASE WHEN r.row_hash <> row.row_hash THEN properties(r) END AS old
WITH row, p, r, old, CASE WHEN old_hash IS NULL THEN 'created'
                          WHEN old_hash = row.row_hash THEN 'unchanged'
                          ELSE 'updated' END AS outcome
CALL (row, p, r, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET p:Official
  SET r += row.props, r += $prov, r.src_row = row.line, r.row_hash = row.row_hash,
      r.since = date(row.since),
      r.until = date(row.until)
}
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(r), old: old} END) AS history
