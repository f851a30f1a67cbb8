// Records one propagation run and its counts.
MERGE (r:PropagationRun {run_id: $run_id})
SET r += $props
