// The parties a set of loads created or changed: parties written by them, endpoints of the
// relationships they wrote, subjects and named persons of the records they wrote or updated.
// The incremental propagation after a load starts from these. One branch per relationship
// type, so that each uses its load_id index (a multi-type pattern would scan them all).
UNWIND $load_ids AS load_id
CALL (load_id) {
  MATCH (p:Party) WHERE p.load_id = load_id
  RETURN p.party_id AS party_id
  UNION
  MATCH (a:Party)-[r:HOLDS_SHARES]->(b) WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:OFFICER_OF]->(b) WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:LEGAL_REP_OF]->(b) WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:BRANCH_OF]->(b) WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:PARTY_TO]->(b) WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:NAMED_IN]->(b) WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (r:Record) WHERE r.load_id = load_id
  MATCH (p:Party)-[:HAS_RECORD|NAMED_IN]->(r)
  RETURN p.party_id AS party_id
  UNION
  MATCH (u:RecordUpdate) WHERE u.load_id = load_id
  MATCH (p:Party)-[:HAS_RECORD|NAMED_IN]->(:Record)-[:HAS_UPDATE]->(u)
  RETURN p.party_id AS party_id
}
WITH DISTINCT party_id WHERE party_id IS NOT NULL
RETURN party_id
