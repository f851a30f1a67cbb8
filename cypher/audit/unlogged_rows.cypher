// Stored checks that no check entry records, and feedback on a check that no feedback entry of
// that check records (planted, or their entry hidden); at most $limit of each.
MATCH (c:Check)
WHERE NOT EXISTS {
  MATCH (e:AuditEntry {check_id: c.check_id})
  WHERE e.kind = 'check'
}
RETURN c.check_id AS check_id, null AS feedback_seq
LIMIT $limit
UNION ALL
MATCH (c:Check)-[:HAS_FEEDBACK]->(f:CheckFeedback)
WHERE NOT EXISTS {
  MATCH (e:AuditEntry)
  WHERE e.seq = f.audit_seq AND e.kind = 'feedback' AND e.check_id = c.check_id
}
RETURN c.check_id AS check_id, f.audit_seq AS feedback_seq
LIMIT $limit
