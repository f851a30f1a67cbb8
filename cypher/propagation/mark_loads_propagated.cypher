// Marks loads propagated up to the batches a completed run covered: the counts it read
// (propagation/pending_loads) before it read the graph. A batch committed after that (a load
// still running) leaves its load pending; a mark never moves back. Runs in the run's last
// transaction, with its risk scores and its record.
UNWIND $loads AS load
MATCH (l:Load {load_id: load.load_id})
SET l.propagated_batches = CASE
      WHEN coalesce(l.propagated_batches, 0) > load.batches THEN l.propagated_batches
      ELSE load.batches END,
    l.propagation_run = $run_id
