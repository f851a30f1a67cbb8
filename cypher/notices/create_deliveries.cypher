// A pending delivery of each new notice to each active webhook of its key, due at once.
UNWIND $rows AS row
MATCH (s:Subscription {key_id: row.key_id})
WHERE s.deleted_at IS NULL
MERGE (d:Delivery {delivery_id: row.notice_id + ':' + s.subscription_id})
ON CREATE SET d.notice_id = row.notice_id, d.subscription_id = s.subscription_id,
              d.key_id = row.key_id, d.state = 'pending', d.attempts = 0,
              d.created_at = $now, d.next_attempt_at = $now
RETURN count(d) AS deliveries
