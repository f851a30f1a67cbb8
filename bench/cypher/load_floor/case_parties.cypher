// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (a:Party {party_id: row.party_id})
MERGE (b:Case {case_no: row.case_no})
MERGE (a)-[r:PARTY_TO]->(b)
SET r += row.props
