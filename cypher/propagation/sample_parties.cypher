// A few parties' ids for the warm-up (graph_service/propagation/warmup.py): after a start, it
// runs a propagation's reads once on their real rows, so that the first run after a load does
// not pay the reads' first executions (0.2-0.3 s for 79 parties at 100,000 parties, with the
// plans already cached; issue 15 item 3). Any parties do: only the reads' code is warmed.
MATCH (p:Party)
RETURN p.party_id AS party_id
LIMIT $limit
