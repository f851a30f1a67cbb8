// Takes or renews the propagation lease for $holder unless another holder's lease is still
// running. Writing asked_at first takes the node's write lock, so two processes claiming at
// once queue and the second sees the first's holder.
MERGE (m:PropagationLease {name: $name})
SET m.asked_at = $now
WITH m
WHERE m.holder IS NULL OR m.holder = $holder OR m.expires_at < $now
SET m.holder = $holder, m.expires_at = $expires
RETURN m.holder AS holder
