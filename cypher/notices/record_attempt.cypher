// Records an attempt of a pending delivery: only if no one recorded attempt number
// $attempts + 1 yet (a second deliverer's result is dropped, its send was a duplicate).
MATCH (d:Delivery {delivery_id: $delivery_id})
WHERE d.state = 'pending' AND d.attempts = $attempts
SET d.attempts = $attempts + 1, d.state = $state, d.next_attempt_at = $next_attempt_at,
    d.last_status = $status, d.last_error = $error, d.last_attempt_at = $now,
    d.delivered_at = CASE WHEN $state = 'delivered' THEN $now END
RETURN d.delivery_id AS delivery_id
