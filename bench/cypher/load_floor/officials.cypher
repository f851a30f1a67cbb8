// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (a:Party {party_id: row.id_number})
MERGE (b:Party {party_id: row.agency_uscc})
MERGE (a)-[r:EMPLOYED_AT]->(b)
SET r += row.props, r.since = date(row.since), r.until = date(row.until)
