// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (a:Party {party_id: row.branch_uscc})
MERGE (b:Party {party_id: row.parent_uscc})
MERGE (a)-[r:BRANCH_OF]->(b)
SET r += row.props
