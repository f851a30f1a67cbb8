// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (p:Party {party_id: row.party_id})
MERGE (t:Contact {contact_key: row.contact_key})
ON CREATE SET t.kind = row.props.kind, t.value = row.props.value, t += $prov, t.src_row = row.line
MERGE (p)-[r:HAS_CONTACT]->(t)
SET r += row.props, r.reported_on = date(row.reported_on), r += $prov, r.src_row = row.line, r.row_hash = row.row_hash
