// Scope of an incremental run (graph_service.propagation.scope): one breadth-first level,
// every hop asked at once. $asks holds {hop, from} pairs; a row is (hop, from, party one hop
// away). One list of maps rather than a list per hop: Neo4j caches a plan per parameter
// type, and an empty list types differently, so lists per hop would replan most calls.
// Dates are not looked at: the scope holds whatever the as-of date. $rows cuts the answer
// short (a scope search with a limit reads no more than it needs; the rows are made lazily,
// so Neo4j stops there too); every row is wanted with Neo4j's largest integer.
CALL () {
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'up_holders'
  MATCH (:Party {party_id: id})<-[:HOLDS_SHARES]-(p:Party)
  RETURN 'up_holders' AS hop, id AS source, p.party_id AS party_id
  UNION
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'down_holdings'
  MATCH (:Party {party_id: id})-[:HOLDS_SHARES]->(p:Party)
  RETURN 'down_holdings' AS hop, id AS source, p.party_id AS party_id
  UNION
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'reps_officers'
  MATCH (:Party {party_id: id})<-[:LEGAL_REP_OF|OFFICER_OF]-(p:Party)
  RETURN 'reps_officers' AS hop, id AS source, p.party_id AS party_id
  UNION
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'roles_held'
  MATCH (:Party {party_id: id})-[:LEGAL_REP_OF|OFFICER_OF]->(p:Party)
  RETURN 'roles_held' AS hop, id AS source, p.party_id AS party_id
  UNION
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'branch_parents'
  MATCH (:Party {party_id: id})-[:BRANCH_OF]->(p:Party)
  RETURN 'branch_parents' AS hop, id AS source, p.party_id AS party_id
  UNION
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'branches'
  MATCH (:Party {party_id: id})<-[:BRANCH_OF]-(p:Party)
  RETURN 'branches' AS hop, id AS source, p.party_id AS party_id
  UNION
  // R2: persons named in the given parties' records
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'named_persons'
  MATCH (:Party {party_id: id})-[:HAS_RECORD]->(:Record)<-[:NAMED_IN]-(p:Party)
  RETURN 'named_persons' AS hop, id AS source, p.party_id AS party_id
  UNION
  // R2: subjects of the records the given persons are named in
  UNWIND $asks AS ask
  WITH ask.from AS id WHERE ask.hop = 'named_subjects'
  MATCH (:Party {party_id: id})-[:NAMED_IN]->(:Record)<-[:HAS_RECORD]-(p:Party)
  RETURN 'named_subjects' AS hop, id AS source, p.party_id AS party_id
}
RETURN hop, source, party_id
LIMIT $rows
