// What the decision snapshot must match: the newest finished propagation run, the number of
// measure changes written after it (a run in progress, or one killed half-way: its measures
// are not one run's yet) and the number of parties (O(1) from the count store; it tells a
// snapshot of another graph apart), and the day the run was for (today's checks take the
// snapshot's measures only for that day). The snapshot's builder asks this every few hundred ms.
OPTIONAL MATCH (r:PropagationRun) WHERE r.finished_at IS NOT NULL
WITH r ORDER BY r.finished_at DESC LIMIT 1
RETURN r.run_id AS run_id, r.finished_at AS finished_at, r.as_of AS as_of,
  CASE WHEN r IS NULL THEN COUNT { (c:MeasureChange) }
       ELSE COUNT { (c:MeasureChange) WHERE c.at > datetime(r.finished_at) } END AS unfinished,
  COUNT { (p:Party) } AS parties
