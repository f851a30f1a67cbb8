// The propagation's input for a batch of parties (full runs, the export and the warm-up's
// sample read every party this way, in batches of propagation/party_ids; incremental runs,
// as-of checks and what-if read propagation/read_scope_parties, the same rows without the
// shared contacts, tests/propagation/test_reads.py): each party with its records, its roles
// in bribery cases (every role: the catalog's bribery_conviction variants and R5/R6
// conviction_roles say which count) and its outgoing relationships of the kinds the rules
// follow (graph_service.analysis.graph.graph_from_rows).
// Dates travel as ISO text, and the batch as one record: the driver's date objects and its
// per-record work (about 40 µs a record) cost more than the query itself. The ids come inside
// $batch (graph_service.db.unsized): one plan whatever the batch's size.
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
  edges: [(p)-[x:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF|BRANCH_OF|SHARES_CONTACT]->(q:Party) |
      {type: type(x), target: q.party_id, stake_pct: x.stake_pct, role: x.role,
       since: toString(x.since), until: toString(x.until), via: x.via}]}) AS parties
