// Natural key of Subscription: the id returned to the API key that registered the webhook.
CREATE CONSTRAINT subscription_subscription_id_unique IF NOT EXISTS
FOR (n:Subscription) REQUIRE n.subscription_id IS UNIQUE
