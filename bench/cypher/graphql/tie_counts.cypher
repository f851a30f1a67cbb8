// Plain counterpart of the hub guard's count (WorkbenchTieCounts): how many ties of each type
// the party has, active or not as $on says (null: all), before anything is drawn.
MATCH (p:Party {party_id: $id})
RETURN p.name AS name,
  COUNT { (p)-[:PARTY_TO]->(:Case) } AS cases,
  COUNT { (p)-[x:HOLDS_SHARES]->(:Party)
          WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on)
                                AND (x.until IS NULL OR x.until > $on)) } AS holdings,
  COUNT { (p)-[:SHARES_CONTACT]-(:Party) } AS shared_contacts,
  COUNT { (p)<-[x:HOLDS_SHARES]-(:Party)
          WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on)
                                AND (x.until IS NULL OR x.until > $on)) } AS shareholders,
  COUNT { (p)<-[x:OFFICER_OF]-(:Party)
          WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on)
                                AND (x.until IS NULL OR x.until > $on)) } AS officers,
  COUNT { (p)<-[:BRANCH_OF]-(:Party) } AS branches,
  COUNT { (p)<-[x:EMPLOYED_AT]-(:Party)
          WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on)
                                AND (x.until IS NULL OR x.until > $on)) } AS staff,
  COUNT { (p)-[:BRANCH_OF]->(:Party) } AS parent,
  COUNT { (p)<-[:LEGAL_REP_OF]-(:Party) } AS legal_rep,
  COUNT { (p)-[x:OFFICER_OF]->(:Party)
          WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on)
                                AND (x.until IS NULL OR x.until > $on)) } AS positions,
  COUNT { (p)-[:LEGAL_REP_OF]->(:Party) } AS legal_rep_of,
  COUNT { (p)-[x:EMPLOYED_AT]->(:Party)
          WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on)
                                AND (x.until IS NULL OR x.until > $on)) } AS employments,
  COUNT { (p)-[:HANDLED]->(:Case) } AS handled_cases,
  COUNT { (p)-[:INTERVENED_IN]->(:Case) } AS interventions
