// The plain floor (bench/load.py): the same rows as the loader sends, as one UNWIND … MERGE
// statement with nothing else (no probe, provenance, outcome, history or derived links' upkeep).
UNWIND $rows AS row
MERGE (k:Case {case_no: row.case_no})
SET k += row.props, k.filed_on = date(row.filed_on), k.closed_on = date(row.closed_on)
WITH k, row WHERE row.props.court_uscc IS NOT NULL
MERGE (court:Party {party_id: row.props.court_uscc})
MERGE (k)-[:HEARD_BY]->(court)
