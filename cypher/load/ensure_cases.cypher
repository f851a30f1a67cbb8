// Creates the cases that rows refer to and the graph does not hold yet (case_no only),
// marked known_only_from the referring kind. Returns how many were created.
UNWIND $batch.rows AS row
MERGE (k:Case {case_no: row.id})
ON CREATE SET k.known_only_from = $prov.src_kind, k += $prov, k.src_row = row.line
RETURN count(CASE WHEN k.load_id = $prov.load_id AND k.src_row = row.line
                       AND k.known_only_from = $prov.src_kind THEN 1 END) AS created
