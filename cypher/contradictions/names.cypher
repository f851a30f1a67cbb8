// Contradictions (due process §7), names: each company whose own name differs from the name a
// record about it gives its subject ($name_fields: [{kind: record kind, field: the record's
// property holding the subject's name}]), with both rows' provenance. A pre-filter on exact
// text: graph_service/analysis/contradictions.py decides (spaces and brackets aside, and only
// across files).
UNWIND $name_fields AS nf
MATCH (r:Record {kind: nf.kind})
WITH r, r[nf.field] AS other
WHERE other IS NOT NULL
MATCH (c:Company)-[:HAS_RECORD]->(r)
WHERE c.name IS NOT NULL AND c.name <> other
RETURN c.party_id AS party_id, c.name AS name, other AS other_name,
       c.src_file AS c_file, c.src_row AS c_row, c.load_id AS c_load_id, c.src_kind AS c_kind,
       r.src_file AS r_file, r.src_row AS r_row, r.load_id AS r_load_id, r.src_kind AS r_kind
