// The most recent propagation runs.
MATCH (r:PropagationRun)
RETURN r {.*} AS run
ORDER BY r.started_at DESC
LIMIT $limit
