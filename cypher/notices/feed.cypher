// One page of a key's notices made at or after $since, oldest first, keyset-paginated on
// (made_at, notice_id) after ($after_at, $after_id) when those are set.
MATCH (n:Notice {key_id: $key_id})
WHERE n.made_at >= $since
  AND ($after_id IS NULL OR n.made_at > $after_at
       OR (n.made_at = $after_at AND n.notice_id > $after_id))
WITH n ORDER BY n.made_at, n.notice_id
LIMIT $limit
RETURN n {.*} AS notice
