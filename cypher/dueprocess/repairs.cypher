// Repair applications, newest first; $state (pending | approved | rejected) filters when set.
MATCH (a:RepairApplication)
WHERE $state IS NULL OR a.state = $state
RETURN properties(a) AS props
ORDER BY a.filed_at DESC, a.repair_id
LIMIT $limit
