// §3: the direct control relation as (:Party)-[:BENCH_CONTROLS]->(:Party): a holder whose
// active stakes in a company (rows added up) exceed $control.majority_pct (strictly, up to
// $epsilon of float noise), and a party with an active officer role in
// $control.officer_roles. Controllers through chains are paths of these relationships.
CALL () {
  MATCH (h:Party)-[s:HOLDS_SHARES]->(c:Party)
  WHERE (s.since IS NULL OR s.since <= $as_of) AND (s.until IS NULL OR $as_of < s.until)
  WITH h, c, sum(coalesce(toFloat(s.stake_pct), 0.0)) AS total
  WHERE total > $control.majority_pct + $epsilon
  RETURN h AS p, c
  UNION
  MATCH (p:Party)-[x:OFFICER_OF]->(c:Party)
  WHERE x.role IN $control.officer_roles
    AND (x.since IS NULL OR x.since <= $as_of) AND (x.until IS NULL OR $as_of < x.until)
  RETURN p, c
}
CREATE (p)-[:BENCH_CONTROLS]->(c)
RETURN count(*) AS controls
