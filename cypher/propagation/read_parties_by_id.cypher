// The same shape as propagation/read_parties, for a given set of parties (incremental runs
// and as-of checks read only the part of the graph they need).
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
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
