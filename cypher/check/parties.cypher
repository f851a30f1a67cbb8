// The parties of a sanction check: identity, its records of the kinds the catalog has
// red-list variants of ($red_list_kinds; graph_service.analysis.activity decides which are
// active red-list entries on $as_of), and (when $stored) the stored measures still applying
// on $as_of. One index seek per party.
// Only the measure properties the answer shows are projected, and dates come back as ISO text
// (what the answer writes): on a 1,000-party check, decoding every property and driver Date
// cost more than the query itself.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
RETURN p.party_id AS party_id, p.name AS name, p.kind AS kind,
  [(p)-[:HAS_RECORD]->(r:Record) WHERE r.kind IN $red_list_kinds AND r.start <= $as_of |
      r {.record_key, .kind, .ref, .severity, .domain, .list, .category, .status,
         start: toString(r.start), end: toString(r.end), voided_on: toString(r.voided_on)}]
    AS red_records,
  CASE WHEN $stored
    THEN [(p)-[:HAS_MEASURE]->(m:Measure) WHERE m.until IS NULL OR m.until >= $as_of |
          m {.measure, .origin, .rule, .record_ref, .record_kind, .authority, .basis,
             .path_json, record_start: toString(m.record_start),
             record_end: toString(m.record_end), until: toString(m.until)}]
    ELSE [] END AS measures
