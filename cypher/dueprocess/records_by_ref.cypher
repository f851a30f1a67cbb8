// The records a repair or an objection names by its registry reference (record_ref, as
// record_updates name them), with their subject, status updates and dates as ISO text, for
// graph_service/dueprocess to judge (activity, periods) in Python.
MATCH (r:Record {ref: $ref})
RETURN r {.record_key, .kind, .ref, .authority, .severity, .domain, .list, .category,
          .status, start: toString(r.start), end: toString(r.end),
          voided_on: toString(r.voided_on),
          subject_id: head([(s:Party)-[:HAS_RECORD]->(r) | s.party_id]),
          updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | u {
              .status, .source, effective_on: toString(u.effective_on)}]} AS record
ORDER BY record.record_key
