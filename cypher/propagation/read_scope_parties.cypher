// The parties of an incremental run's scope, or of measures computed for another date, as
// propagation/read_parties_by_id gives them but for the shared contacts: measures never follow
// SHARES_CONTACT (graph_service/analysis/graph.py: RULE_RELATIONS; only peripheral risk does,
// and its incremental update reads its links with propagation/risk_links). A party in a
// cluster of shared contacts has one per other party of it, each a relationship and a party
// read for nothing (issue 15 item 3). Keep the rest as in read_parties_by_id
// (tests/propagation/test_reads.py compares them).
UNWIND $batch.ids AS id
MATCH (p:Party {party_id: id})
RETURN collect({party_id: p.party_id, kind: p.kind, name: p.name,
  records: [(p)-[:HAS_RECORD]->(r:Record) | r {
      .record_key, .kind, .ref, .authority, .severity, .domain, .list, .category, .status,
      start: toString(r.start), end: toString(r.end), voided_on: toString(r.voided_on),
      named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}],
  convictions: [(p)-[x:PARTY_TO]->(c:Case {case_type: 'bribery'}) |
      {case_no: c.case_no, role: x.role, closed_on: toString(c.closed_on),
       court: head([(c)-[:HEARD_BY]->(ct:Party) | ct.name])}],
  edges: [(p)-[x:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF|BRANCH_OF]->(q:Party) |
      {type: type(x), target: q.party_id, stake_pct: x.stake_pct, role: x.role,
       since: toString(x.since), until: toString(x.until), via: x.via}]}) AS parties
