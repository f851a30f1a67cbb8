// The parties of a sanction check: identity, whether a red-list entry is active on $as_of,
// and (when $stored) the stored measures still applying on $as_of. One index seek per party.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
RETURN p.party_id AS party_id, p.name AS name, p.kind AS kind,
  size([(p)-[:HAS_RECORD]->(r:Record {kind: 'red_list'})
        WHERE r.start <= $as_of AND (r.end IS NULL OR r.end > $as_of)
          AND (r.voided_on IS NULL OR r.voided_on > $as_of) | r]) > 0 AS red_listed,
  CASE WHEN $stored
    THEN [(p)-[:HAS_MEASURE]->(m:Measure) WHERE m.until IS NULL OR m.until >= $as_of | m {.*}]
    ELSE [] END AS measures
