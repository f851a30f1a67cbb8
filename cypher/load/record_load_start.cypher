// Records that a load has started, in the transaction of its first batch written (then
// committed_batches counts that batch: $batches 1, or 0 if it changed nothing) or alone
// (no batch written). The status stays 'started' if the process dies, which `credit-graph
// loads` shows as unfinished; committed_batches counts the batches of rows it commits
// (load/count_batch): until a propagation covers them, the load is pending. $props may
// already say how the load ended (status 'done' and its summary: a file of one batch).
CREATE (l:Load {load_id: $load_id})
SET l.status = 'started', l.committed_batches = $batches
SET l += $props
RETURN l.load_id AS load_id
