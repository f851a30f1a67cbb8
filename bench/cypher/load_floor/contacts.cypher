// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (p:Party {party_id: row.party_id})
MERGE (t:Contact {contact_key: row.contact_key})
ON CREATE SET t.kind = row.props.kind, t.value = row.props.value
MERGE (p)-[r:HAS_CONTACT]->(t)
SET r += row.props, r.reported_on = date(row.reported_on)
