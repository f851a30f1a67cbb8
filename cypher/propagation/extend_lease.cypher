// Extends the propagation lease of $holder while its run's last transaction is in flight
// (graph_service/propagation/lease.py, released_with): unlike propagation/claim_lease it never
// creates the node, so a renewal that comes after that transaction deleted it writes nothing
// back. No row: the lease is gone (released by the commit) or another holder's.
MATCH (m:PropagationLease {name: $name})
WHERE m.holder = $holder
SET m.expires_at = $expires
RETURN m.holder AS holder
