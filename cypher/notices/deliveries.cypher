// Deliveries for operators, newest first: in $state (all when null), with their notice and URL.
MATCH (d:Delivery)
WHERE $state IS NULL OR d.state = $state
WITH d ORDER BY d.created_at DESC, d.delivery_id
LIMIT $limit
MATCH (n:Notice {notice_id: d.notice_id})
OPTIONAL MATCH (s:Subscription {subscription_id: d.subscription_id})
OPTIONAL MATCH (k:ApiKey {key_id: d.key_id})
RETURN d {.*} AS delivery, n {.*} AS notice, s.url AS url, k.name AS key_name
