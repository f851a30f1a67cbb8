// Audit entries past the head (there must be none: the head records the newest entry),
// first ones first.
MATCH (h:AuditHead {name: $name})
MATCH (e:AuditEntry)
WHERE e.seq > h.seq
RETURN e.seq AS seq, h.seq AS head_seq
ORDER BY seq
LIMIT $limit
