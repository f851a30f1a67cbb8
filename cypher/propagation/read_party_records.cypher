// The parties an incremental peripheral-risk update scores (graph_service/propagation/
// riskscope.py), as propagation/read_parties_by_id gives them but without relationships:
// the update takes them from propagation/risk_links, so here they were read for nothing
// (issue 15 item 3). Keep the rest as in read_parties_by_id (tests/propagation/test_reads.py
// compares them).
UNWIND $batch.ids AS id
MATCH (p:Party {party_id: id})
RETURN collect({party_id: p.party_id, kind: p.kind, name: p.name,
  records: [(p)-[:HAS_RECORD]->(r:Record) | r {
      .record_key, .kind, .ref, .authority, .severity, .domain, .list, .category, .status,
      start: toString(r.start), end: toString(r.end), voided_on: toString(r.voided_on),
      named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}],
  convictions: [(p)-[x:PARTY_TO]->(c:Case {case_type: 'bribery'}) |
      {case_no: c.case_no, role: x.role, closed_on: toString(c.closed_on),
       court: head([(c)-[:HEARD_BY]->(ct:Party) | ct.name])}]}) AS parties
