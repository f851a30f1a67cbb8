// Locks the audit head (creating it on the first append) and returns the newest entry's seq
// and hash. Writing a property takes the node's write lock before the values are read, so
// concurrent appenders (threads or processes) queue here and each sees the head as the one
// before it left it.
MERGE (h:AuditHead {name: $name})
ON CREATE SET h.seq = 0, h.hash = $genesis
SET h.locked = true
RETURN h.seq AS seq, h.hash AS hash
