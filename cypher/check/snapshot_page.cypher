// One page of the decision snapshot (graph_service/check/snapshot_build.py): parties in
// party_id order after $after, each with its identity, its records of the kinds the catalog
// has red-list variants of ($red_list_kinds) and every stored measure — unfiltered by date:
// the snapshot applies `start <= as_of` and `until >= as_of` when it answers, as
// check/parties does in Cypher. One record per page, dates as ISO text (as check/parties).
MATCH (p:Party) WHERE p.party_id > $after
WITH p ORDER BY p.party_id LIMIT $limit
RETURN collect({party_id: p.party_id, name: p.name, kind: p.kind,
  red_records: [(p)-[:HAS_RECORD]->(r:Record) WHERE r.kind IN $red_list_kinds |
      r {.record_key, .kind, .ref, .severity, .domain, .list, .category, .status,
         start: toString(r.start), end: toString(r.end), voided_on: toString(r.voided_on)}],
  measures: [(p)-[:HAS_MEASURE]->(m:Measure) |
      m {.measure, .origin, .rule, .record_ref, .record_kind, .authority, .basis,
         .path_json, record_start: toString(m.record_start),
         record_end: toString(m.record_end), until: toString(m.until)}]}) AS parties
