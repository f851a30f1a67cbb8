// Filter of Delivery by state: the worker's pending ones, the operators' undelivered ones.
CREATE RANGE INDEX delivery_state IF NOT EXISTS
FOR (n:Delivery) ON (n.state)
