// Scope of an incremental run (graph_service.propagation.scope): one breadth-first level,
// every hop asked at once. $batch.asks holds {hop, from} pairs; a row is (hop, from, party one
// hop away). One list of maps rather than a list per hop: Neo4j caches a plan per parameter
// type, and an empty list types differently, so lists per hop would replan most calls; and
// inside a map, because a top-level list's size (by order of magnitude) is part of that type
// too (graph_service/propagation/store.py: unsized).
// Each party asked is expanded once a direction, its relationships' types telling the hops
// apart (four branches where one per hop made eight: the plan is made in about half the time
// after a start or a statistics change, issue 15 item 3), and only in a direction some hop
// asked of it follows: most levels ask one direction (a search down a company's holdings asks
// down_holdings alone), and expanding the other too read each party's holders and officers
// for nothing (half the database hits of such a level, issue 15 session 12). The parties
// reached are not checked for the :Party label: these relationships join parties only
// (docs/model.md).
// Dates are not looked at: the scope holds whatever the as-of date. $rows cuts the answer
// short (a scope search with a limit reads no more than it needs; the rows are made lazily,
// so Neo4j stops there too); every row is wanted with Neo4j's largest integer.
UNWIND $batch.asks AS ask
WITH ask.from AS id, collect(ask.hop) AS hops
MATCH (x:Party {party_id: id})
CALL (x, hops) {
  WITH x, hops WHERE 'up_holders' IN hops OR 'reps_officers' IN hops OR 'branches' IN hops
  MATCH (x)<-[r:HOLDS_SHARES|LEGAL_REP_OF|OFFICER_OF|BRANCH_OF]-(p)
  WITH p, CASE type(r) WHEN 'HOLDS_SHARES' THEN 'up_holders' WHEN 'BRANCH_OF' THEN 'branches'
              ELSE 'reps_officers' END AS hop, hops
  WHERE hop IN hops
  RETURN hop, p
  UNION
  WITH x, hops WHERE 'down_holdings' IN hops OR 'roles_held' IN hops OR 'branch_parents' IN hops
  MATCH (x)-[r:HOLDS_SHARES|LEGAL_REP_OF|OFFICER_OF|BRANCH_OF]->(p)
  WITH p, CASE type(r) WHEN 'HOLDS_SHARES' THEN 'down_holdings' WHEN 'BRANCH_OF' THEN 'branch_parents'
              ELSE 'roles_held' END AS hop, hops
  WHERE hop IN hops
  RETURN hop, p
  UNION
  // R2: persons named in x's records
  WITH x, hops WHERE 'named_persons' IN hops
  MATCH (x)-[:HAS_RECORD]->(:Record)<-[:NAMED_IN]-(p)
  RETURN 'named_persons' AS hop, p
  UNION
  // R2: subjects of the records x is named in
  WITH x, hops WHERE 'named_subjects' IN hops
  MATCH (x)-[:NAMED_IN]->(:Record)<-[:HAS_RECORD]-(p)
  RETURN 'named_subjects' AS hop, p
}
RETURN hop, x.party_id AS source, p.party_id AS party_id
LIMIT $rows
