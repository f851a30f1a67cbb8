// One page of audit entries in chain order for `audit verify`: after $after_seq, up to the head
// read before the walk ($until_seq, so entries appended meanwhile wait for the next run), each
// with the rows stored with it: the :Check of a check entry, the :CheckFeedback of a feedback
// entry. They are found through the entry's check_id, a lookup copy the verifier compares with
// the hashed payload.
MATCH (e:AuditEntry)
WHERE e.seq > $after_seq AND e.seq <= $until_seq
WITH e
ORDER BY e.seq
LIMIT $limit
OPTIONAL MATCH (c:Check {check_id: e.check_id})
WHERE e.kind IN ['check', 'feedback']
OPTIONAL MATCH (c)-[:HAS_FEEDBACK]->(f:CheckFeedback {audit_seq: e.seq})
WHERE e.kind = 'feedback'
WITH e, c, collect(f {.*}) AS feedback
RETURN
  e {.*} AS entry,
  CASE WHEN e.kind = 'check' AND c IS NOT NULL THEN [c {.*}] ELSE [] END AS checks,
  feedback
ORDER BY e.seq
