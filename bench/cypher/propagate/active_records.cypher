// §1: every party's active records as :BenchActive nodes, with what the catalog says of
// them ($kinds: record kind → {by, active_years, variants: {name: {measures, serious}}}).
// Active on $as_of: start ≤ $as_of < end, where end is the earliest of the record's end,
// its voiding (voided_on: first repaired / revoked / removed update) and active_years after
// its start (29 February → 1 March). $open stands for an open end.
MATCH (p:Party)-[:HAS_RECORD]->(r:Record)
WITH p, r, $kinds[r.kind] AS spec
WHERE spec IS NOT NULL AND r.start IS NOT NULL AND r.start <= $as_of
WITH p, r, spec, r.start + duration({years: coalesce(spec.active_years, 0)}) AS later
WITH p, r, spec,
  CASE
    WHEN spec.active_years IS NULL THEN null
    WHEN r.start.month = 2 AND r.start.day = 29 AND later.day = 28
      THEN date({year: later.year, month: 3, day: 1})
    ELSE later
  END AS lapse
WITH p, r, spec,
  reduce(e = $open, d IN [r.end, r.voided_on, lapse] |
         CASE WHEN d IS NOT NULL AND d < e THEN d ELSE e END) AS end
WHERE $as_of < end
WITH p, r, end, spec,
  CASE WHEN spec.by IS NULL THEN null ELSE r[spec.by] END AS selector
WITH p, r, end,
  coalesce(spec.variants[coalesce(toString(selector), 'default')], spec.variants.default)
    AS variant
CREATE (p)-[:BENCH_ACTIVE]->(:BenchActive {
  party_id: p.party_id, record_key: r.record_key, kind: r.kind, category: r.category,
  start: r.start, end: end, measures: variant.measures, serious: variant.serious})
RETURN count(*) AS active
