// Test helper: deletes a stored check (and its feedback link), leaving its audit entry behind.
MATCH (c:Check {check_id: $check_id})
DETACH DELETE c
