// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (p:Party {party_id: row.id_number})
SET p:Person, p += row.props, p.birth_date = date(row.birth_date), p += $prov, p.src_row = row.line, p.row_hash = row.row_hash
