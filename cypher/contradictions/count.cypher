// Contradictions: how many are stored, of one kind or all ($kind null).
MATCH (c:Contradiction)
WHERE $kind IS NULL OR c.kind = $kind
RETURN count(c) AS total
