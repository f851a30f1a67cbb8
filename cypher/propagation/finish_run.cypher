// A propagation run's last transaction, in one statement (one round trip): its changed
// peripheral-risk scores (a null score removes one), its record, the marks of the loads it
// covered, and — when $holder is given (an incremental run) — the release of its lease.
//
// The scores: all of a run's go in this one transaction, so an incremental update is exact
// only from a consistent set of stored scores, never from half of a killed run's.
// The marks: loads propagated up to the batches the run covered, the counts it read
// (propagation/pending_loads) before it read the graph. A batch committed after that (a load
// still running) leaves its load pending; a mark never moves back.
// The release: only its holder's lease goes (one that lapsed and was taken is left). The run's
// renewer keeps renewing while this transaction is in flight; a renewal only extends an
// existing node (propagation/extend_lease), so none writes the lease back after it.
CALL () {
  UNWIND $batch.rows AS row
  MATCH (p:Party {party_id: row.party_id})
  SET p.risk_score = row.score
}
MERGE (r:PropagationRun {run_id: $run_id})
SET r += $props
WITH r
CALL (r) {
  UNWIND $batch.loads AS load
  MATCH (l:Load {load_id: load.load_id})
  SET l.propagated_batches = CASE
        WHEN coalesce(l.propagated_batches, 0) > load.batches THEN l.propagated_batches
        ELSE load.batches END,
      l.propagation_run = r.run_id
}
CALL () {
  OPTIONAL MATCH (m:PropagationLease {name: $lease})
  WITH m WHERE m.holder = $holder
  DELETE m
}
