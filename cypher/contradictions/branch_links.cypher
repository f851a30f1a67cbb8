// Contradictions (due process §7): every branch link, for the cycles (a branch that is the
// parent of its own parent) found in graph_service/analysis/contradictions.py.
MATCH (b:Party)-[l:BRANCH_OF]->(p:Party)
RETURN b.party_id AS branch_id, p.party_id AS parent_id,
       l.src_file AS file, l.src_row AS row, l.load_id AS load_id, l.src_kind AS kind
