// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (c:Party {party_id: row.uscc})
SET c:Company, c += row.props, c.established_on = date(row.established_on)
WITH c, row WHERE row.props.legal_rep_id IS NOT NULL
MERGE (rep:Party {party_id: row.props.legal_rep_id})
MERGE (rep)-[:LEGAL_REP_OF]->(c)
