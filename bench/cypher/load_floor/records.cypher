// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (r:Record {record_key: row.record_key})
SET r += row.props, r.start = date(row.start), r.end = date(row.end)
MERGE (s:Party {party_id: row.subject_id})
MERGE (s)-[:HAS_RECORD]->(r)
WITH row, r
CALL (row, r) {
  UNWIND row.named AS named
  MERGE (p:Party {party_id: named.id})
  MERGE (p)-[:NAMED_IN {role: named.role}]->(r)
}
CALL (row, r) {
  WITH row, r WHERE row.concerns_case IS NOT NULL
  MERGE (k:Case {case_no: row.concerns_case})
  MERGE (r)-[:CONCERNS_CASE]->(k)
}
