// The most recent loads first, with their summaries, optionally of one kind only, and whether
// the stored measures reflect their rows yet: propagation 'pending' or 'done' (null for
// loads recorded before batches were counted).
MATCH (l:Load)
WHERE $kind IS NULL OR l.kind = $kind
RETURN l {.*, propagation: CASE
         WHEN l.committed_batches IS NULL THEN null
         WHEN l.committed_batches > coalesce(l.propagated_batches, 0) THEN 'pending'
         ELSE 'done' END} AS load
ORDER BY l.started_at DESC
LIMIT $limit
