// Whether the propagation run a decision snapshot was made from is in this graph: a snapshot
// whose run is not (a graph restored or reset since) is of another graph and is rebuilt.
OPTIONAL MATCH (r:PropagationRun {run_id: $run_id})
RETURN r IS NOT NULL AS exists
