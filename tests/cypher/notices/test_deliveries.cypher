// Every delivery, oldest first.
MATCH (d:Delivery)
RETURN d {.*} AS delivery
ORDER BY d.created_at, d.delivery_id
