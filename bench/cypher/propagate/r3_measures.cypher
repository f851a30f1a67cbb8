// R3: each listed-controlled company gets $r3.measures once per listed holder with an active
// stake, from the holder's reason record; a holder whose reason path passes through the
// company itself (a cycle) is left out.
MATCH (h:BenchListed)-[s:HOLDS_SHARES]->(c:BenchControlled)
WHERE (s.since IS NULL OR s.since <= $as_of) AND (s.until IS NULL OR $as_of < s.until)
WITH DISTINCT c, h
WHERE h.bench_path IS NULL OR NOT c.party_id IN h.bench_path
UNWIND $r3.measures AS name
CREATE (c)-[:BENCH_HAS]->(:BenchMeasure {
  party_id: c.party_id, measure: name, rule: $r3.rule_id, record_key: h.bench_reason})
RETURN count(*) AS measures
