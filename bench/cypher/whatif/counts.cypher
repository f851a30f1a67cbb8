// Benchmark helper (bench/whatif.py): how many nodes, relationships and :Load nodes the graph
// holds, before and after a what-if (which must write nothing).
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS rels }
CALL () { MATCH (l:Load) RETURN count(l) AS loads }
RETURN nodes, rels, loads
