// Contradictions: one page of the stored ones, of one kind or all ($kind null), in a stable
// order (kind, party, id).
MATCH (c:Contradiction)
WHERE $kind IS NULL OR c.kind = $kind
RETURN properties(c) AS props
ORDER BY c.kind, c.party_id, c.contradiction_id
SKIP $offset
LIMIT $limit
