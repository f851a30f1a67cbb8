// R3 after the fixed point: the listed-controlled companies (:BenchControlled), whose
// listed holders' active stakes together reach $r3.threshold_pct.
MATCH (:BenchListed)-[s:HOLDS_SHARES]->(c:Party)
WHERE (s.since IS NULL OR s.since <= $as_of) AND (s.until IS NULL OR $as_of < s.until)
WITH DISTINCT c
CALL (c) {
  MATCH (h:BenchListed)-[s:HOLDS_SHARES]->(c)
  WHERE (s.since IS NULL OR s.since <= $as_of) AND (s.until IS NULL OR $as_of < s.until)
  RETURN sum(coalesce(toFloat(s.stake_pct), 0.0)) AS total
}
WITH c, total
WHERE ($r3.inclusive AND total >= $r3.threshold_pct - $epsilon)
   OR (NOT $r3.inclusive AND total > $r3.threshold_pct + $epsilon)
SET c:BenchControlled
RETURN count(c) AS controlled
