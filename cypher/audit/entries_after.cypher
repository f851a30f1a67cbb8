// One page of audit entries in chain order, after $after_seq, within [$since, $until).
MATCH (e:AuditEntry)
WHERE e.seq > $after_seq AND e.at >= $since AND e.at < $until
RETURN e {.*} AS entry
ORDER BY e.seq
LIMIT $limit
