// The case view in one read (graph_service/gql/cards.py): the case and its court as
// case/by_nos gives them and, for each list the request selects, that list's own statement's
// page for the case (null when not asked; a CASE reads only the lists asked for):
// $parties ({offset, limit, roles} or null): case/parties, by role and party id;
// $officials ({offset, limit} or null): case/officials, by role and party id;
// $interventions ({offset, limit} or null): case/interventions, oldest first;
// $records ({offset, limit, on, state} or null): case/records, newest first, $records.state
// 'ACTIVE' / 'INACTIVE' / 'ALL' judged on $records.on as case/records does.
// Items leave out the case itself (each list's statement repeats it in every item; the
// caller adds the one case read here).
MATCH (k:Case {case_no: $id})
WITH k,
  CASE WHEN $parties IS NOT NULL THEN COLLECT {
    MATCH (k)<-[x:PARTY_TO]-(p:Party)
    WHERE $parties.roles IS NULL OR x.role IN $parties.roles
    WITH x, p ORDER BY x.role, p.party_id
    RETURN {rel: properties(x), party: {labels: labels(p), props: properties(p)}}
  } END AS parties,
  CASE WHEN $officials IS NOT NULL THEN COLLECT {
    MATCH (k)<-[x:HANDLED]-(o:Party)
    WITH x, o ORDER BY x.role, o.party_id
    RETURN {rel: properties(x), party: {labels: labels(o), props: properties(o)}}
  } END AS officials,
  CASE WHEN $interventions IS NOT NULL THEN COLLECT {
    MATCH (k)<-[x:INTERVENED_IN]-(o:Party)
    WITH o, x ORDER BY x.occurred_on, x.record_no
    RETURN {rel: properties(x), official: {labels: labels(o), props: properties(o)},
            record: head([(o)-[:HAS_RECORD]->(r:Record {kind: 'intervention', ref: x.record_no})
                          | properties(r)])}
  } END AS interventions,
  CASE WHEN $records IS NOT NULL THEN COLLECT {
    MATCH (k)<-[:CONCERNS_CASE]-(r:Record)
    WITH r, (r.start <= $records.on AND (r.end IS NULL OR r.end > $records.on)
             AND (r.voided_on IS NULL OR r.voided_on > $records.on)) AS active
    WHERE $records.state = 'ALL' OR (($records.state = 'ACTIVE') = coalesce(active, false))
    WITH r ORDER BY r.start DESC, r.record_key
    RETURN r
  } END AS records
RETURN $id AS id, properties(k) AS props,
  head([(k)-[:HEARD_BY]->(c:Party) | {labels: labels(c), props: properties(c)}]) AS court,
  size(parties) AS party_total,
  parties[$parties.offset..$parties.offset + $parties.limit] AS party_items,
  size(officials) AS official_total,
  officials[$officials.offset..$officials.offset + $officials.limit] AS official_items,
  size(interventions) AS intervention_total,
  interventions[$interventions.offset..$interventions.offset + $interventions.limit]
    AS intervention_items,
  size(records) AS record_total,
  [r IN records[$records.offset..$records.offset + $records.limit] | {
    props: properties(r),
    updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | properties(u)],
    case_no: $id,
    named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}]
    AS record_items
