// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (a:Party {party_id: row.branch_uscc})
MERGE (b:Party {party_id: row.parent_uscc})
MERGE (a)-[r:BRANCH_OF]->(b)
SET r += row.props, r += $prov, r.src_row = row.line, r.row_hash = row.row_hash
