// Ends webhooks of a key (kept, marked deleted) and cancels their pending deliveries, in the
// transaction of their subscription_deleted audit entries.
UNWIND $rows AS row
MATCH (s:Subscription {subscription_id: row.subscription_id})
WHERE s.key_id = row.key_id AND s.deleted_at IS NULL
SET s.deleted_at = row.deleted_at, s.deleted_audit_seq = row.audit_seq
WITH s
MATCH (d:Delivery {state: 'pending'})
WHERE d.subscription_id = s.subscription_id
SET d.state = 'cancelled'
