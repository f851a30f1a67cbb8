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
// Without $dated (no field of the request asks for provenance.loadedAt) every node's and
// relationship's loaded_at comes as null (graph_service/gql/context.py, DatedReads).
MATCH (k:Case {case_no: $id})
WITH k,
  CASE WHEN $parties IS NOT NULL THEN COLLECT {
    MATCH (k)<-[x:PARTY_TO]-(p:Party)
    WHERE $parties.roles IS NULL OR x.role IN $parties.roles
    WITH x, p ORDER BY x.role, p.party_id
    RETURN {rel: CASE WHEN $dated THEN properties(x) ELSE x {.*, loaded_at: null} END, party: {labels: labels(p), props: CASE WHEN $dated THEN properties(p) ELSE p {.*, loaded_at: null} END}}
  } END AS parties,
  CASE WHEN $officials IS NOT NULL THEN COLLECT {
    MATCH (k)<-[x:HANDLED]-(o:Party)
    WITH x, o ORDER BY x.role, o.party_id
    RETURN {rel: CASE WHEN $dated THEN properties(x) ELSE x {.*, loaded_at: null} END, party: {labels: labels(o), props: CASE WHEN $dated THEN properties(o) ELSE o {.*, loaded_at: null} END}}
  } END AS officials,
  CASE WHEN $interventions IS NOT NULL THEN COLLECT {
    MATCH (k)<-[x:INTERVENED_IN]-(o:Party)
    WITH o, x ORDER BY x.occurred_on, x.record_no
    RETURN {rel: CASE WHEN $dated THEN properties(x) ELSE x {.*, loaded_at: null} END, official: {labels: labels(o), props: CASE WHEN $dated THEN properties(o) ELSE o {.*, loaded_at: null} END},
            record: head([(o)-[:HAS_RECORD]->(r:Record {kind: 'intervention', ref: x.record_no})
                          | CASE WHEN $dated THEN properties(r) ELSE r {.*, loaded_at: null} END])}
  } END AS interventions,
  CASE WHEN $records IS NOT NULL THEN COLLECT {
    MATCH (k)<-[:CONCERNS_CASE]-(r:Record)
    WITH r, (r.start <= $records.on AND (r.end IS NULL OR r.end > $records.on)
             AND (r.voided_on IS NULL OR r.voided_on > $records.on)) AS active
    WHERE $records.state = 'ALL' OR (($records.state = 'ACTIVE') = coalesce(active, false))
    WITH r ORDER BY r.start DESC, r.record_key
    RETURN r
  } END AS records
RETURN $id AS id, CASE WHEN $dated THEN properties(k) ELSE k {.*, loaded_at: null} END AS props,
  head([(k)-[:HEARD_BY]->(c:Party) | {labels: labels(c), props: CASE WHEN $dated THEN properties(c) ELSE c {.*, loaded_at: null} END}]) AS court,
  size(parties) AS party_total,
  parties[$parties.offset..$parties.offset + $parties.limit] AS party_items,
  size(officials) AS official_total,
  officials[$officials.offset..$officials.offset + $officials.limit] AS official_items,
  size(interventions) AS intervention_total,
  interventions[$interventions.offset..$interventions.offset + $interventions.limit]
    AS intervention_items,
  size(records) AS record_total,
  [r IN records[$records.offset..$records.offset + $records.limit] | {
    props: CASE WHEN $dated THEN properties(r) ELSE r {.*, loaded_at: null} END,
    updates: [(r)-[:HAS_UPDATE]->(u:RecordUpdate) | CASE WHEN $dated THEN properties(u) ELSE u {.*, loaded_at: null} END],
    case_no: $id,
    named: [(n:Party)-[x:NAMED_IN]->(r) | {party_id: n.party_id, role: x.role}]}]
    AS record_items
