// Pending deliveries due by $now, the longest waiting first, with their notice and webhook.
MATCH (d:Delivery {state: 'pending'})
WHERE d.next_attempt_at <= $now
WITH d ORDER BY d.next_attempt_at, d.delivery_id
LIMIT $limit
MATCH (n:Notice {notice_id: d.notice_id})
MATCH (s:Subscription {subscription_id: d.subscription_id})
RETURN d {.*} AS delivery, n {.*} AS notice, s.url AS url, s.secret_box AS secret_box
