// Moves the audit head to the newest entry and releases the lock marker (the lock itself is
// released at commit).
MATCH (h:AuditHead {name: $name})
SET h.seq = $seq, h.hash = $hash
REMOVE h.locked
