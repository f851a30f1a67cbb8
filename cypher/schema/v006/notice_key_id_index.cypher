// Lookup of Notice by API key: the pull feed (GET /v1/notices) of one key.
CREATE RANGE INDEX notice_key_id IF NOT EXISTS
FOR (n:Notice) ON (n.key_id)
