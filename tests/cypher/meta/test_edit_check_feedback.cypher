// Test helper: rewrites which measures a feedback on a stored check says were applied.
MATCH (:Check {check_id: $check_id})-[:HAS_FEEDBACK]->(f:CheckFeedback)
SET f.applied = $applied
