// A stored check with its feedback, oldest feedback first.
MATCH (c:Check {check_id: $check_id})
OPTIONAL MATCH (c)-[:HAS_FEEDBACK]->(f:CheckFeedback)
WITH c, f
ORDER BY f.audit_seq
RETURN c {.*} AS check, collect(f {.*}) AS feedback
