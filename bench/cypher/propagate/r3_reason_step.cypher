// R3 reasons, one level of the breadth-first tree (run until it reaches nobody): a party
// not yet in the tree is reached from the tree's level $level by a positive active stake
// of a level-$level party in it when it is listed-controlled, or as an active branch of a
// level-$level party when it is listed. Its parent is the reaching party first in queue
// order (lowest rank); its rank orders the level by (parent rank, party id), as a FIFO
// queue over id-sorted neighbours would. It takes the parent's reason record and path.
MATCH (p:BenchListed {bench_level: $level})
CALL (p) {
  MATCH (p)-[s:HOLDS_SHARES]->(n:BenchControlled)
  WHERE n.bench_level IS NULL
    AND (s.since IS NULL OR s.since <= $as_of) AND (s.until IS NULL OR $as_of < s.until)
  WITH n, sum(coalesce(toFloat(s.stake_pct), 0.0)) AS stake
  WHERE stake > 0
  RETURN n
  UNION
  MATCH (p)<-[b:BRANCH_OF]-(n:BenchListed)
  WHERE n.bench_level IS NULL
    AND (b.since IS NULL OR b.since <= $as_of) AND (b.until IS NULL OR $as_of < b.until)
  RETURN n
}
WITH n, p
ORDER BY p.bench_rank
WITH n, head(collect(p)) AS parent
ORDER BY parent.bench_rank, n.party_id
WITH collect([n, parent]) AS reached
UNWIND range(0, size(reached) - 1) AS i
WITH reached[i][0] AS n, reached[i][1] AS parent, i
SET n.bench_level = $level + 1, n.bench_rank = i, n.bench_reason = parent.bench_reason,
    n.bench_path = parent.bench_path + n.party_id
RETURN count(n) AS reached
