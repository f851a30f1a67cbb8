// The propagation's change log (:MeasureChange, docs/model.md) since $since, oldest first,
// keyset-paginated on (at, change_id) after ($after_at, $after_id); $party and $change
// ('gained' | 'lost') filter when set.
MATCH (c:MeasureChange)
WHERE c.at >= $since
  AND ($party IS NULL OR c.party_id = $party)
  AND ($change IS NULL OR c.change = $change)
  AND ($after_at IS NULL OR c.at > $after_at OR (c.at = $after_at AND c.change_id > $after_id))
WITH c ORDER BY c.at, c.change_id
LIMIT $limit
RETURN properties(c) AS props
