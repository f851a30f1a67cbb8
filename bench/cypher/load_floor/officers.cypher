// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (a:Party {party_id: row.person_id})
MERGE (b:Party {party_id: row.company_uscc})
MERGE (a)-[r:OFFICER_OF {role: row.role}]->(b)
SET r += row.props, r.since = date(row.since), r.until = date(row.until), r += $prov, r.src_row = row.line, r.row_hash = row.row_hash
