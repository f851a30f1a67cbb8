// Decides a pending repair application (a decided one is left as it is: closed = 0).
MATCH (a:RepairApplication {repair_id: $repair_id})
WHERE a.state = 'pending'
SET a.state = $state, a.reason = $reason, a.decided_at = $decided_at,
    a.decided_by = $decided_by, a.update_key = $update_key
RETURN count(a) AS closed
