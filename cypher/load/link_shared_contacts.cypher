// Derives the inferred (疑似关联) SHARES_CONTACT {inferred: true, via: contact_key} between
// every two parties reporting a contact touched by the changed contact rows; one edge per
// pair and contact, from the smaller party_id to the larger, so reruns add nothing.
UNWIND $batch.rows AS row
WITH row.contact_key AS key, min(row.line) AS line
MATCH (a:Party)-[:HAS_CONTACT]->(t:Contact {contact_key: key})<-[:HAS_CONTACT]-(b:Party)
WHERE a.party_id < b.party_id
MERGE (a)-[s:SHARES_CONTACT {via: key}]->(b)
ON CREATE SET s.inferred = true, s += $prov, s.src_row = line
