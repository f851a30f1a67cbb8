// Every subscription as stored, deleted ones too.
MATCH (s:Subscription)
RETURN s {.*} AS subscription
ORDER BY s.created_at
