// Plain counterpart of the workbench's case view (WorkbenchCase, first 100): the case, its
// court, its parties, officials and interventions (the first $first of each, with totals) and
// its first 20 records, active and past.
MATCH (k:Case {case_no: $case_no})
RETURN properties(k) AS props,
  head([(k)-[:HEARD_BY]->(c:Party) | {id: c.party_id, name: c.name, labels: labels(c)}]) AS court,
  COUNT { (k)<-[:PARTY_TO]-(:Party) } AS party_total,
  COLLECT { MATCH (k)<-[x:PARTY_TO]-(p:Party)
            RETURN {role: x.role, id: p.party_id, name: p.name, labels: labels(p)}
            ORDER BY x.role, p.party_id LIMIT $first } AS parties,
  COUNT { (k)<-[:HANDLED]-(:Party) } AS official_total,
  COLLECT { MATCH (k)<-[x:HANDLED]-(o:Party)
            RETURN {role: x.role, id: o.party_id, name: o.name, labels: labels(o)}
            ORDER BY x.role, o.party_id LIMIT $first } AS officials,
  COUNT { (k)<-[:INTERVENED_IN]-(:Party) } AS intervention_total,
  COLLECT { MATCH (k)<-[x:INTERVENED_IN]-(o:Party)
            RETURN {rel: properties(x), id: o.party_id, name: o.name, labels: labels(o)}
            ORDER BY x.occurred_on, x.record_no LIMIT $first } AS interventions,
  COUNT { (k)<-[:CONCERNS_CASE]-(:Record) } AS record_total,
  COLLECT { MATCH (k)<-[:CONCERNS_CASE]-(r:Record)
            RETURN properties(r) ORDER BY r.start DESC, r.record_key LIMIT 20 } AS records
