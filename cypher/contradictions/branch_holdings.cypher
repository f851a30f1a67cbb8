// Contradictions (due process §7): branches (a BRANCH_OF link to a parent) that hold shares,
// with the provenance of one branch link and of each holding.
MATCH (b:Party)-[l:BRANCH_OF]->(:Party)
WITH b, head(collect(l)) AS l
MATCH (b)-[h:HOLDS_SHARES]->(c:Party)
RETURN b.party_id AS branch_id, c.party_id AS company_id, h.stake_pct AS stake_pct,
       l.src_file AS b_file, l.src_row AS b_row, l.load_id AS b_load_id, l.src_kind AS b_kind,
       h.src_file AS h_file, h.src_row AS h_row, h.load_id AS h_load_id, h.src_kind AS h_kind
