// Incremental peripheral-risk update (graph_service.propagation.riskscope): the given
// parties' stored scores and every relationship peripheral risk follows, in both
// directions, with the stored score of the party at its other end; and each party as
// propagation/read_parties_by_id gives it but for its relationships (kind, name, records,
// convictions), which the update needs of exactly the parties whose links it reads: read
// here, each party is found once and the update makes one round trip a level (a read of
// their records apart, after the search, was a second lookup of up to some thousand parties
// and a round trip more on the run's longest path, issue 15 session 13). Keep the party's
// fields as in read_parties_by_id (tests/propagation/test_reads.py compares them).
// The batch comes back as one record: the driver's per-record work costs more than its rows.
UNWIND $batch.ids AS id
MATCH (p:Party {party_id: id})
RETURN collect({score: p.risk_score,
  links: [(p)-[x:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF|BRANCH_OF|SHARES_CONTACT]-(q:Party) |
      {other: q.party_id, type: type(x), outgoing: startNode(x) = p,
       since: toString(x.since), until: toString(x.until), score: q.risk_score}],
  party: {party_id: p.party_id, kind: p.kind, name: p.name,
    records: [(p)-[:HAS_RECORD]->(r:Record) | r {
        .record_key, .kind, .ref, .authority, .severity, .domain, .list, .category, .status,
        start: toString(r.start), end: toString(r.end), voided_on: toString(r.voided_on),
        named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}],
    convictions: [(p)-[x:PARTY_TO]->(c:Case {case_type: 'bribery'}) |
        {case_no: c.case_no, role: x.role, closed_on: toString(c.closed_on),
         court: head([(c)-[:HEARD_BY]->(ct:Party) | ct.name])}]}}) AS parties
