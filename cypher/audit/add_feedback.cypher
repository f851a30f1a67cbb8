// Records feedback on a check (which measures the agency applied), in the transaction of its
// audit entry.
UNWIND $rows AS row
MATCH (c:Check {check_id: row.check_id})
CREATE (c)-[:HAS_FEEDBACK]->(f:CheckFeedback)
SET f = row
