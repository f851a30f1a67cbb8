// Upserts (party)-[:HAS_CONTACT {kind, value, reported_on}]->(:Contact {contact_key: …}), one
// relationship per (party, contact); the Contact node is shared by every party reporting the
// same normalised value. Outcome per row as in load/companies.
UNWIND $batch.rows AS row
MATCH (p:Party {party_id: row.party_id})
MERGE (t:Contact {contact_key: row.contact_key})
ON CREATE SET t.kind = row.props.kind, t.value = row.props.value, t += $prov, t.src_row = row.line
MERGE (p)-[r:HAS_CONTACT]->(t)
WITH row, r, r.row_hash AS old_hash,
     CASE WHEN r.row_hash <> row.row_hash THEN properties(r) END AS old
WITH row, r, old, CASE WHEN old_hash IS NULL THEN 'created'
                       WHEN old_hash = row.row_hash THEN 'unchanged'
                       ELSE 'updated' END AS outcome
CALL (row, r, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET r += row.props, r += $prov, r.src_row = row.line, r.row_hash = row.row_hash,
      r.reported_on = date(row.reported_on)
}
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(r), old: old} END) AS history
