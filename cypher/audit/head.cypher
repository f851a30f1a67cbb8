// The audit head: the seq and hash of the newest entry (no row before the first append).
MATCH (h:AuditHead {name: $name})
RETURN h.seq AS seq, h.hash AS hash
