// Test helper: every relationship with its type, the natural keys of its ends and its
// properties, to compare whole graphs.
MATCH (a)-[r]->(b)
RETURN type(r) AS type,
       coalesce(a.party_id, a.case_no, a.record_key, a.update_key, a.contact_key) AS start,
       coalesce(b.party_id, b.case_no, b.record_key, b.update_key, b.contact_key) AS end,
       properties(r) AS props
