// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement that writes the same properties (the rows' values, provenance, row_hash) and
// nothing else: no probe, outcomes, history, stale links' removal or derived links.
UNWIND $batch.rows AS row
MERGE (k:Case {case_no: row.case_no})
SET k += row.props, k.filed_on = date(row.filed_on), k.closed_on = date(row.closed_on), k += $prov, k.src_row = row.line, k.row_hash = row.row_hash
WITH k, row WHERE row.props.court_uscc IS NOT NULL
MERGE (court:Party {party_id: row.props.court_uscc})
MERGE (k)-[x:HEARD_BY]->(court)
SET x += $prov, x.src_row = row.line
