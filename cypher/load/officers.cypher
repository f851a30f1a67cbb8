// Upserts (person)-[:OFFICER_OF {role, since, until}]->(company), one relationship per
// (company, person, role): a person may hold several roles. Outcome per row as in
// load/companies.
// replan=force: MERGE on a relationship property is planned from the counts of the moment; a
// plan made while OFFICER_OF was (nearly) empty seeks the officer_of_role index and scans every
// OFFICER_OF with that role per row (quadratic: 7 s of Neo4j CPU for the second batch of
// 5,000 rows), until Neo4j replans it. Planning each batch anew costs little (the
// whole second batch then takes 0.4 s).
CYPHER replan=force
UNWIND $batch.rows AS row
MATCH (p:Party {party_id: row.person_id})
MATCH (c:Party {party_id: row.company_uscc})
MERGE (p)-[r:OFFICER_OF {role: row.role}]->(c)
WITH row, r, r.row_hash AS old_hash,
     CASE WHEN r.row_hash <> row.row_hash THEN properties(r) END AS old
WITH row, r, old, CASE WHEN old_hash IS NULL THEN 'created'
                       WHEN old_hash = row.row_hash THEN 'unchanged'
                       ELSE 'updated' END AS outcome
CALL (row, r, outcome) {
  WITH * WHERE outcome <> 'unchanged'
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
