// The active webhooks of one API key, oldest first (never their secrets).
MATCH (s:Subscription {key_id: $key_id})
WHERE s.deleted_at IS NULL
RETURN s.subscription_id AS subscription_id, s.url AS url, s.created_at AS created_at
ORDER BY created_at, subscription_id
