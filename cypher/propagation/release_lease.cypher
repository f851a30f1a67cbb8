// Gives the propagation lease up: the node goes, so the graph holds nothing of it between runs.
// Only its holder's release counts (one whose lease lapsed and was taken releases nothing).
MATCH (m:PropagationLease {name: $name})
WHERE m.holder = $holder
DELETE m
