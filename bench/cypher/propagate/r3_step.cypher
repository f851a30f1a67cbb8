// R3, one round of the least fixed point (run until it lists nobody): a company held by,
// or a branch of, a party listed in round $round is listed when the listed holders' active
// stakes together reach $r3.threshold_pct (≥ when $r3.inclusive, up to $epsilon) or it
// is an active branch of a listed party. Listing only grows, so the rounds stop, cycles
// included, at the least fixed point.
MATCH (l:BenchListed {bench_round: $round})
CALL (l) {
  MATCH (l)-[s:HOLDS_SHARES]->(c:Party)
  WHERE (s.since IS NULL OR s.since <= $as_of) AND (s.until IS NULL OR $as_of < s.until)
  RETURN c
  UNION
  MATCH (l)<-[b:BRANCH_OF]-(c:Party)
  WHERE (b.since IS NULL OR b.since <= $as_of) AND (b.until IS NULL OR $as_of < b.until)
  RETURN c
}
WITH DISTINCT c
WHERE NOT c:BenchListed
CALL (c) {
  OPTIONAL MATCH (h:BenchListed)-[s:HOLDS_SHARES]->(c)
  WHERE (s.since IS NULL OR s.since <= $as_of) AND (s.until IS NULL OR $as_of < s.until)
  RETURN sum(coalesce(toFloat(s.stake_pct), 0.0)) AS total
}
WITH c, total,
  EXISTS {
    MATCH (c)-[b:BRANCH_OF]->(:BenchListed)
    WHERE (b.since IS NULL OR b.since <= $as_of) AND (b.until IS NULL OR $as_of < b.until)
  } AS branch
WHERE branch
   OR ($r3.inclusive AND total >= $r3.threshold_pct - $epsilon)
   OR (NOT $r3.inclusive AND total > $r3.threshold_pct + $epsilon)
SET c:BenchListed, c.bench_round = $round + 1
RETURN count(c) AS listed
