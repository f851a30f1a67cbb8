// Upserts (:Official)-[:HANDLED {role: …}]->(case), one relationship per (case, official), and
// labels the person :Official. Outcome per row as in load/companies.
UNWIND $batch.rows AS row
MATCH (o:Party {party_id: row.official_id})
MATCH (k:Case {case_no: row.case_no})
MERGE (o)-[r:HANDLED]->(k)
WITH row, o, r, r.row_hash AS old_hash,
     CASE WHEN r.row_hash <> row.row_hash THEN properties(r) END AS old
WITH row, o, r, old, CASE WHEN old_hash IS NULL THEN 'created'
                          WHEN old_hash = row.row_hash THEN 'unchanged'
                          ELSE 'updated' END AS outcome
CALL (row, o, r, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET o:Official
  SET r += row.props, r += $prov, r.src_row = row.line, r.row_hash = row.row_hash
}
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(r), old: old} END) AS history
