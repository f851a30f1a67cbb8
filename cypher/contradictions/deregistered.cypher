// Contradictions (due process §7): records that start after their company's deregistration
// date (deregistered_on, from the companies registry), with both rows' provenance.
MATCH (c:Company)
WHERE c.deregistered_on IS NOT NULL
MATCH (c)-[:HAS_RECORD]->(r:Record)
WHERE r.start > c.deregistered_on
RETURN c.party_id AS party_id, c.deregistered_on AS deregistered_on, r.record_key AS record_key,
       r.start AS start,
       c.src_file AS c_file, c.src_row AS c_row, c.load_id AS c_load_id, c.src_kind AS c_kind,
       r.src_file AS r_file, r.src_row AS r_row, r.load_id AS r_load_id, r.src_kind AS r_kind
