// Why not (graph_service/explore/why_not_answer.py): a party's neighbourhood read as the
// propagation reads it (propagation/read_parties_by_id), plus what explains a fact that ended:
// each record's status updates (with the objection or repair that made one, if any), and the source row (provenance: src_kind, src_file, src_row,
// load_id, loaded_at) of every record, update, role in a bribery case and relationship.
// Relationships to parties outside $ids are dropped by the caller. Dates travel as ISO text.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
RETURN collect({party_id: p.party_id, kind: p.kind, name: p.name,
  records: [(p)-[:HAS_RECORD]->(r:Record) | r {
      .record_key, .kind, .ref, .authority, .severity, .domain, .list, .category, .status,
      start: toString(r.start), end: toString(r.end), voided_on: toString(r.voided_on),
      provenance: {src_kind: r.src_kind, src_file: r.src_file, src_row: r.src_row,
                   load_id: r.load_id, loaded_at: toString(r.loaded_at)},
      updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | u {
          .status, .reason, .authority, .source, .objection_id, .repair_id,
          effective_on: toString(u.effective_on),
          provenance: {src_kind: u.src_kind, src_file: u.src_file, src_row: u.src_row,
                       load_id: u.load_id, loaded_at: toString(u.loaded_at)}}],
      named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}],
  convictions: [(p)-[x:PARTY_TO]->(c:Case {case_type: 'bribery'}) |
      {case_no: c.case_no, role: x.role, closed_on: toString(c.closed_on),
       court: head([(c)-[:HEARD_BY]->(ct:Party) | ct.name]),
       provenance: {src_kind: x.src_kind, src_file: x.src_file, src_row: x.src_row,
                    load_id: x.load_id, loaded_at: toString(x.loaded_at)}}],
  edges: [(p)-[x:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF|BRANCH_OF|SHARES_CONTACT]->(q:Party) |
      {type: type(x), target: q.party_id, stake_pct: x.stake_pct, role: x.role,
       since: toString(x.since), until: toString(x.until), via: x.via,
       provenance: {src_kind: x.src_kind, src_file: x.src_file, src_row: x.src_row,
                    load_id: x.load_id, loaded_at: toString(x.loaded_at)}}]}) AS parties
