// §1: bribery convictions as :BenchActive nodes. A party of a `bribery` case in role
// briber / bribe_taker (docs/model.md) has a record of kind $conviction_kind, keyed
// `<kind>:<case_no>|<party_id>`, starting at the case's closed_on (none: not active) and
// active for the kind's active_years (29 February → 1 March); the variant is its role.
MATCH (p:Party)-[x:PARTY_TO]->(c:Case {case_type: 'bribery'})
WHERE x.role IN ['briber', 'bribe_taker'] AND c.closed_on IS NOT NULL
  AND c.closed_on <= $as_of
WITH p, x, c, $kinds[$conviction_kind] AS spec
WITH p, x, c, spec, c.closed_on + duration({years: coalesce(spec.active_years, 0)}) AS later
WITH p, x, c, spec,
  CASE
    WHEN spec.active_years IS NULL THEN $open
    WHEN c.closed_on.month = 2 AND c.closed_on.day = 29 AND later.day = 28
      THEN date({year: later.year, month: 3, day: 1})
    ELSE later
  END AS end
WHERE $as_of < end
WITH p, x, c, end,
  coalesce(spec.variants[coalesce(x.role, 'default')], spec.variants.default) AS variant
CREATE (p)-[:BENCH_ACTIVE]->(:BenchActive {
  party_id: p.party_id, record_key: $conviction_kind + ':' + c.case_no + '|' + p.party_id,
  kind: $conviction_kind, role: x.role, start: c.closed_on, end: end,
  measures: variant.measures, serious: variant.serious})
RETURN count(*) AS active
