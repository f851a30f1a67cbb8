// Upserts the company each row owns (:Party:Company) and its legal representative link.
// Outcome per row: 'unchanged' when the row's content hash equals the node's row_hash (then
// nothing is written), else 'created' / 'updated': the row's properties replace the old ones,
// known_only_from is cleared and LEGAL_REP_OF is derived again. The legal representative
// exists (load/ensure_persons). Dates arrive as ISO text. Returns one record: the counts, the
// changed lines (for the after-batch helpers), for updated rows and rows whose file had
// earlier versions (`held`), the element id and old properties (the engine appends them to
// `history`), and `detached`: the representatives an updated company had before (read before
// the CALL deletes their links; the engine records them on the :Load, so that the propagation
// after the load reaches a former representative, whose measures may fall).
UNWIND $batch.rows AS row
MERGE (c:Party {party_id: row.uscc})
ON CREATE SET c:Company, c.kind = 'company', c.uscc = row.uscc
WITH row, c, c.row_hash AS old_hash,
     CASE WHEN c.row_hash <> row.row_hash THEN properties(c) END AS old
WITH row, c, old, CASE WHEN old_hash IS NULL THEN 'created'
                       WHEN old_hash = row.row_hash THEN 'unchanged'
                       ELSE 'updated' END AS outcome
WITH row, c, old, outcome,
     CASE WHEN outcome = 'updated'
          THEN COLLECT { MATCH (was:Party)-[:LEGAL_REP_OF]->(c) RETURN was.party_id }
          ELSE [] END AS detached
CALL (row, c, outcome) {
  WITH * WHERE outcome <> 'unchanged'
  SET c += row.props, c += $prov, c.src_row = row.line, c.row_hash = row.row_hash,
      c.established_on = date(row.established_on),
      c.deregistered_on = date(row.deregistered_on)
  REMOVE c.known_only_from
  WITH row, c
  OPTIONAL MATCH (:Party)-[stale:LEGAL_REP_OF]->(c)
  DELETE stale
  WITH DISTINCT row, c
  MATCH (rep:Party {party_id: row.props.legal_rep_id})
  MERGE (rep)-[r:LEGAL_REP_OF]->(c)
  SET r += $prov, r.src_row = row.line
}
RETURN count(CASE outcome WHEN 'created' THEN 1 END) AS created,
       count(CASE outcome WHEN 'updated' THEN 1 END) AS updated,
       count(CASE outcome WHEN 'unchanged' THEN 1 END) AS unchanged,
       collect(CASE WHEN outcome <> 'unchanged' THEN row.line END) AS changed,
       collect(CASE WHEN outcome = 'updated' OR (outcome = 'created' AND row.held)
                    THEN {line: row.line, eid: elementId(c), old: old} END) AS history,
       reduce(all = [], ids IN collect(detached) | all + ids) AS detached
