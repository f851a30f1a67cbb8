// Counts one committed batch of a load, in the batch's own transaction: the count is durable
// exactly when the rows are, so the propagation's bookkeeping (propagation/pending_loads)
// can never miss rows that a killed process committed.
MATCH (l:Load {load_id: $load_id})
SET l.committed_batches = l.committed_batches + 1
