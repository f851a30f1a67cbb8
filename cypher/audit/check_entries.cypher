// The audit entries that vouch for a stored check (its check entry, its feedback entries), each
// with what follows it in the chain: the next entry's prev_hash, or the head for the newest
// entry. So an entry rewritten together with its own hash is found without walking the chain.
MATCH (e:AuditEntry {check_id: $check_id})
WHERE e.kind IN ['check', 'feedback']
OPTIONAL MATCH (next:AuditEntry {seq: e.seq + 1})
OPTIONAL MATCH (h:AuditHead {name: $head})
RETURN e {.*} AS entry, next.prev_hash AS next_prev_hash, h.seq AS head_seq, h.hash AS head_hash
ORDER BY e.seq
