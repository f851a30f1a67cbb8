// One repair application by id (no row: unknown).
MATCH (a:RepairApplication {repair_id: $repair_id})
RETURN properties(a) AS props
