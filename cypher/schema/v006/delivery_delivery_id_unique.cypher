// Natural key of Delivery: the notice id and the subscription id (one delivery per pair).
CREATE CONSTRAINT delivery_delivery_id_unique IF NOT EXISTS
FOR (n:Delivery) REQUIRE n.delivery_id IS UNIQUE
