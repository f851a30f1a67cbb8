// Records that a load has started; the status stays 'started' if the process dies, which
// `credit-graph loads` shows as unfinished. committed_batches counts the batches of rows it
// commits (load/count_batch): until a propagation covers them, the load is pending.
CREATE (l:Load {load_id: $load_id})
SET l += $props, l.status = 'started', l.committed_batches = 0
RETURN l.load_id AS load_id
