// Contradictions (due process §7): the stakes of companies whose stakes, whatever their dates,
// add up to more than $limit_pct (only they can exceed it on some day; the day-by-day sums are
// in graph_service/analysis/contradictions.py), with each row's provenance.
MATCH (:Party)-[h:HOLDS_SHARES]->(c:Party)
WITH c, collect(h) AS stakes, sum(h.stake_pct) AS total
WHERE total > $limit_pct
UNWIND stakes AS h
RETURN c.party_id AS company_id, startNode(h).party_id AS holder_id, h.stake_pct AS stake_pct,
       h.since AS since, h.until AS until,
       h.src_file AS file, h.src_row AS row, h.load_id AS load_id, h.src_kind AS kind
