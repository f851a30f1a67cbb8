// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (p:Party {party_id: row.id_number})
SET p:Person, p += row.props, p.birth_date = date(row.birth_date)
