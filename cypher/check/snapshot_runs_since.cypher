// The propagation runs finished after $since (the snapshot's run), oldest first, with the
// loads each completed: the parties those loads touched may have a new name or record.
MATCH (r:PropagationRun) WHERE r.finished_at > $since
RETURN r.run_id AS run_id, coalesce(r.loads, []) AS loads
ORDER BY r.finished_at
