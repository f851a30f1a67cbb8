// Contradictions: the id and content hash of every stored one (a refresh writes only what
// differs).
MATCH (c:Contradiction)
RETURN c.contradiction_id AS contradiction_id, c.content_hash AS content_hash
