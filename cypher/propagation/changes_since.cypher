// The change log since a time, oldest first (for alerting systems polling it).
MATCH (c:MeasureChange) WHERE c.at > $since
RETURN c {.*} AS change
ORDER BY c.at, c.change_id
LIMIT $limit
