// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (a:Party {party_id: row.official_id})
MERGE (b:Case {case_no: row.case_no})
MERGE (a)-[r:HANDLED]->(b)
SET r += row.props, r += $prov, r.src_row = row.line, r.row_hash = row.row_hash
