// R6: a person with a record of $r6.intervention_kinds started in the last
// $r6.lookback_years (and still active), an active $official_kind record of a category in
// $r6.official_categories, or an active conviction in a role of $r6.conviction_roles gets
// $r6.measures, once per (person, measure, record).
MATCH (p:Party {kind: 'person'})-[:BENCH_ACTIVE]->(a:BenchActive)
WITH p, a, a.start + duration({years: $r6.lookback_years}) AS later
WITH p, a,
  CASE
    WHEN a.kind IN $r6.intervention_kinds THEN
      CASE
        WHEN a.start.month = 2 AND a.start.day = 29 AND later.day = 28
          THEN date({year: later.year, month: 3, day: 1})
        ELSE later
      END
    WHEN a.kind = $official_kind AND a.category IN $r6.official_categories THEN a.end
    WHEN a.kind = $conviction_kind AND a.role IN $r6.conviction_roles THEN a.end
  END AS lapse
WHERE lapse IS NOT NULL AND $as_of < lapse AND $as_of < a.end
UNWIND $r6.measures AS name
CREATE (p)-[:BENCH_HAS]->(:BenchMeasure {
  party_id: p.party_id, measure: name, rule: $r6.rule_id, record_key: a.record_key})
RETURN count(*) AS measures
