// One batch of parties for the propagation, in party_id order after $after (keyset
// pagination: each batch is a short read, and memory stays bounded on the server).
// Each party comes with its records, its bribery convictions and its outgoing relationships
// of the kinds the rules follow, exactly as graph_service.propagation.reader expects.
MATCH (p:Party)
WHERE p.party_id > $after
WITH p ORDER BY p.party_id LIMIT $limit
RETURN p.party_id AS party_id, p.kind AS kind, p.name AS name,
  [(p)-[:HAS_RECORD]->(r:Record) | r {
      .record_key, .kind, .ref, .start, .end, .voided_on, .authority, .severity, .domain,
      .list, .category, .status,
      named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}] AS records,
  [(p)-[x:PARTY_TO]->(c:Case {case_type: 'bribery'}) WHERE x.role IN ['briber', 'bribe_taker'] |
      {case_no: c.case_no, role: x.role, closed_on: c.closed_on,
       court: head([(c)-[:HEARD_BY]->(ct:Party) | ct.name])}] AS convictions,
  [(p)-[x:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF|BRANCH_OF|SHARES_CONTACT]->(q:Party) |
      {type: type(x), target: q.party_id, stake_pct: x.stake_pct, role: x.role,
       since: x.since, until: x.until, via: x.via}] AS edges
