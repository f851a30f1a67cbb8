// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (c:Party {party_id: row.uscc})
SET c:Company, c += row.props, c.established_on = date(row.established_on), c += $prov, c.src_row = row.line, c.row_hash = row.row_hash
WITH c, row WHERE row.props.legal_rep_id IS NOT NULL
MERGE (rep:Party {party_id: row.props.legal_rep_id})
MERGE (rep)-[x:LEGAL_REP_OF]->(c)
SET x += $prov, x.src_row = row.line
