// The parties a set of loads created or changed: parties written by them, endpoints of the
// relationships they wrote or derived (SHARES_CONTACT), subjects and named persons of the
// records they wrote or updated, the parties to the cases they wrote (a bribery case's
// `closed_on`, `case_type` and court make its parties' convictions), and the old ends of the relationships they replaced (a
// company's former legal representative, a record's former subject or named persons: the
// load's `detached`, load/count_batch), whose measures and risk may fall.
// The incremental propagation after a load starts from these. One branch per relationship
// type, so that each uses its load_id index (a multi-type pattern would scan them all). The
// hints are needed: after a bulk load most relationships share one load_id, the planner
// then expects an index seek to return them all and picks a label scan instead (seconds).
UNWIND $batch.load_ids AS load_id
CALL (load_id) {
  MATCH (p:Party) USING INDEX p:Party(load_id) WHERE p.load_id = load_id
  RETURN p.party_id AS party_id
  UNION
  MATCH (a:Party)-[r:HOLDS_SHARES]->(b) USING INDEX r:HOLDS_SHARES(load_id)
  WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:OFFICER_OF]->(b) USING INDEX r:OFFICER_OF(load_id)
  WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:LEGAL_REP_OF]->(b) USING INDEX r:LEGAL_REP_OF(load_id)
  WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:BRANCH_OF]->(b) USING INDEX r:BRANCH_OF(load_id)
  WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:PARTY_TO]->(b) USING INDEX r:PARTY_TO(load_id)
  WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:NAMED_IN]->(b) USING INDEX r:NAMED_IN(load_id)
  WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (a:Party)-[r:SHARES_CONTACT]->(b) USING INDEX r:SHARES_CONTACT(load_id)
  WHERE r.load_id = load_id
  UNWIND [a.party_id, b.party_id] AS party_id
  RETURN party_id
  UNION
  MATCH (k:Case) USING INDEX k:Case(load_id) WHERE k.load_id = load_id
  MATCH (p:Party)-[:PARTY_TO]->(k)
  RETURN p.party_id AS party_id
  UNION
  MATCH (l:Load {load_id: load_id})
  UNWIND coalesce(l.detached, []) AS party_id
  RETURN party_id
  UNION
  MATCH (r:Record) USING INDEX r:Record(load_id) WHERE r.load_id = load_id
  MATCH (p:Party)-[:HAS_RECORD|NAMED_IN]->(r)
  RETURN p.party_id AS party_id
  UNION
  MATCH (u:RecordUpdate) USING INDEX u:RecordUpdate(load_id)
  WHERE u.load_id = load_id
  MATCH (p:Party)-[:HAS_RECORD|NAMED_IN]->(:Record)-[:HAS_UPDATE]->(u)
  RETURN p.party_id AS party_id
}
WITH DISTINCT party_id WHERE party_id IS NOT NULL
RETURN party_id
