// One page of lost measures from the change log after ($after_at, $after_id), oldest first,
// with the as-of date of the run that logged them (null if that run never finished) and why
// they were lost as the run logged it (nulls for changes logged before runs said why), and
// the audit seq up to which checks were read when their notices were made (null: not yet).
// A loss whose notices read every check up to audit seq $head (the log's newest) is left out.
MATCH (c:MeasureChange)
WHERE c.at >= $after_at AND c.change = 'lost'
  AND (c.at > $after_at OR c.change_id > $after_id)
  AND (c.notices_seq IS NULL OR c.notices_seq < $head)
WITH c ORDER BY c.at, c.change_id
LIMIT $limit
OPTIONAL MATCH (r:PropagationRun {run_id: c.run_id})
RETURN c.change_id AS change_id, c.party_id AS party_id, c.measure AS measure,
       c.record_key AS record_key, c.at AS at, r.as_of AS as_of,
       {ended_by: c.ended_by, ended_on: c.ended_on, ended_source: c.ended_source} AS logged,
       c.notices_seq AS notices_seq
ORDER BY at, change_id
