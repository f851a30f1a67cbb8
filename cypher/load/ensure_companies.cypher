// Creates the companies that rows refer to and the graph does not hold yet, from what the
// referring row says (uscc, name), marked known_only_from the referring kind. A party that
// exists is left alone (its own registry row is the authority), except that a stub without a
// name takes the first name a row gives. Returns how many were created.
UNWIND $batch.rows AS row
MERGE (p:Party {party_id: row.id})
ON CREATE SET p:Company, p.kind = 'company', p.uscc = row.id, p.name = row.name,
  p.known_only_from = $prov.src_kind, p += $prov, p.src_row = row.line
FOREACH (_ IN CASE WHEN p.name IS NULL AND row.name IS NOT NULL
                    AND p.known_only_from IS NOT NULL THEN [1] ELSE [] END |
  SET p.name = row.name, p += $prov, p.src_row = row.line)
RETURN count(CASE WHEN p.load_id = $prov.load_id AND p.src_row = row.line
                       AND p.known_only_from = $prov.src_kind THEN 1 END) AS created
