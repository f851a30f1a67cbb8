// One objection by id (no row: unknown).
MATCH (o:Objection {objection_id: $objection_id})
RETURN properties(o) AS props
