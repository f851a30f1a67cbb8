// Lookup of Subscription by API key: a key's own webhooks, and the deliveries of a new notice.
CREATE RANGE INDEX subscription_key_id IF NOT EXISTS
FOR (n:Subscription) ON (n.key_id)
