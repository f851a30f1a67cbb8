// Loads whose committed rows the stored measures do not reflect yet: more batches committed
// (load/count_batch) than a completed propagation run covered. A run reads them before it
// reads the graph, covers what they touched, and marks them in its last transaction
// (propagation/finish_run). Oldest first.
MATCH (l:Load)
WHERE l.committed_batches > coalesce(l.propagated_batches, 0)
RETURN l.load_id AS load_id, l.committed_batches AS batches, l.kind AS kind, l.file AS file,
       l.status AS status, toString(l.started_at) AS started_at
ORDER BY l.started_at, l.load_id
