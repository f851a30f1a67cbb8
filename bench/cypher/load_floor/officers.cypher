// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (a:Party {party_id: row.person_id})
MERGE (b:Party {party_id: row.company_uscc})
MERGE (a)-[r:OFFICER_OF {role: row.role}]->(b)
SET r += row.props, r.since = date(row.since), r.until = date(row.until)
