// The decision snapshot's rows of some parties (those a newer propagation run changed), in
// the form of check/snapshot_page; an id no longer in the graph is simply not returned.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
RETURN collect({party_id: p.party_id, name: p.name, kind: p.kind,
  red_records: [(p)-[:HAS_RECORD]->(r:Record) WHERE r.kind IN $red_list_kinds |
      r {.record_key, .kind, .ref, .severity, .domain, .list, .category, .status,
         start: toString(r.start), end: toString(r.end), voided_on: toString(r.voided_on)}],
  measures: [(p)-[:HAS_MEASURE]->(m:Measure) |
      m {.measure, .origin, .rule, .record_ref, .record_kind, .authority, .basis,
         .path_json, record_start: toString(m.record_start),
         record_end: toString(m.record_end), until: toString(m.until)}]}) AS parties
