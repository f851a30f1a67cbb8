// Derives (:Official)-[:INTERVENED_IN {record_no, kind, occurred_on}]->(case) from changed
// intervention rows (one edge per record_no, moved when a corrected row names another
// official or case) and labels the official :Official. Record rows carry their values in
// `props`, where the intervention's kind is `category`.
UNWIND $batch.rows AS row
MATCH (o:Party {party_id: row.props.official_id})
MATCH (k:Case {case_no: row.props.case_no})
SET o:Official
WITH row, o, k
OPTIONAL MATCH ()-[stale:INTERVENED_IN {record_no: row.props.record_no}]->()
DELETE stale
WITH DISTINCT row, o, k
MERGE (o)-[i:INTERVENED_IN {record_no: row.props.record_no}]->(k)
SET i.kind = row.props.category, i.occurred_on = date(row.start), i += $prov,
    i.src_row = row.line
