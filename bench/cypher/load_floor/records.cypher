// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (r:Record {record_key: row.record_key})
SET r += row.props, r.start = date(row.start), r.end = date(row.end), r += $prov, r.src_row = row.line, r.row_hash = row.row_hash
MERGE (s:Party {party_id: row.subject_id})
MERGE (s)-[x:HAS_RECORD]->(r)
SET x += $prov, x.src_row = row.line
WITH row, r
CALL (row, r) {
  UNWIND row.named AS named
  MERGE (p:Party {party_id: named.id})
  MERGE (p)-[x:NAMED_IN {role: named.role}]->(r)
  SET x += $prov, x.src_row = row.line
}
CALL (row, r) {
  WITH row, r WHERE row.concerns_case IS NOT NULL
  MERGE (k:Case {case_no: row.concerns_case})
  MERGE (r)-[x:CONCERNS_CASE]->(k)
  SET x += $prov, x.src_row = row.line
}
