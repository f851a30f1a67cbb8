// Renews the propagation lease of $holder (graph_service/propagation/lease.py): unlike
// propagation/claim_lease it never creates the node, so a renewal that comes after another run
// took the lease, or after the run's last transaction deleted it, writes nothing back. Writing
// asked_at first takes the node's write lock, so the holder is compared after any claim that
// committed meanwhile. No row: the lease is gone or another holder's.
MATCH (m:PropagationLease {name: $name})
SET m.asked_at = $now
WITH m
WHERE m.holder = $holder
SET m.expires_at = $expires
RETURN m.holder AS holder
