// Counts one committed batch of a load, in the batch's own transaction: the count is durable
// exactly when the rows are, so the propagation's bookkeeping (propagation/pending_loads)
// can never miss rows that a killed process committed. `$detached`: the parties the batch
// unlinked (former legal representatives, a record's former subject or named persons), added
// to the load's `detached` for propagation/touched_by_loads, as durable as the rows. (A
// top-level list: usually empty, and a plan of this statement costs next to nothing.)
MATCH (l:Load {load_id: $load_id})
SET l.committed_batches = l.committed_batches + 1
SET l.detached = CASE WHEN size($detached) = 0 THEN l.detached
                      ELSE coalesce(l.detached, [])
                           + [id IN $detached WHERE NOT id IN coalesce(l.detached, [])]
                 END
