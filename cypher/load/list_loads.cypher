// The most recent loads first, with their summaries, optionally of one kind only.
MATCH (l:Load)
WHERE $kind IS NULL OR l.kind = $kind
RETURN properties(l) AS load
ORDER BY l.started_at DESC
LIMIT $limit
