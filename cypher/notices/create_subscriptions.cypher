// Stores webhooks, in the transaction of their subscription_created audit entries.
UNWIND $rows AS row
CREATE (s:Subscription)
SET s = row
