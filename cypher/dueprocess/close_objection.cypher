// Decides an open objection (a decided one is left as it is: closed = 0); its open_key goes,
// so the party may object to the record again.
MATCH (o:Objection {objection_id: $objection_id})
WHERE o.state = 'open'
SET o.state = $state, o.action = $action, o.reason = $reason, o.decided_at = $decided_at,
    o.decided_by = $decided_by, o.update_key = $update_key
REMOVE o.open_key
RETURN count(o) AS closed
