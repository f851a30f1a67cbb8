// How many ties of each type and direction each party has — what the workbench's hub guard
// needs before it draws anything. Degrees are counted (COUNT {}), never collected, so a court
// with ten thousand cases costs a count, not ten thousand rows. $on (null = every tie, past
// and present) keeps the dated ties active that day, as party/shareholders does.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})
RETURN id, [
  {type: 'HOLDS_SHARES', direction: 'OUT', count: COUNT { (p)-[x:HOLDS_SHARES]->(:Party)
     WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)) }},
  {type: 'HOLDS_SHARES', direction: 'IN', count: COUNT { (p)<-[x:HOLDS_SHARES]-(:Party)
     WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)) }},
  {type: 'OFFICER_OF', direction: 'OUT', count: COUNT { (p)-[x:OFFICER_OF]->(:Party)
     WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)) }},
  {type: 'OFFICER_OF', direction: 'IN', count: COUNT { (p)<-[x:OFFICER_OF]-(:Party)
     WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)) }},
  {type: 'EMPLOYED_AT', direction: 'OUT', count: COUNT { (p)-[x:EMPLOYED_AT]->(:Party)
     WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)) }},
  {type: 'EMPLOYED_AT', direction: 'IN', count: COUNT { (p)<-[x:EMPLOYED_AT]-(:Party)
     WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)) }},
  {type: 'LEGAL_REP_OF', direction: 'OUT', count: COUNT { (p)-[:LEGAL_REP_OF]->(:Party) }},
  {type: 'LEGAL_REP_OF', direction: 'IN', count: COUNT { (p)<-[:LEGAL_REP_OF]-(:Party) }},
  {type: 'BRANCH_OF', direction: 'OUT', count: COUNT { (p)-[:BRANCH_OF]->(:Party) }},
  {type: 'BRANCH_OF', direction: 'IN', count: COUNT { (p)<-[:BRANCH_OF]-(:Party) }},
  {type: 'SHARES_CONTACT', direction: 'BOTH', count: COUNT { (p)-[:SHARES_CONTACT]-(:Party) }},
  {type: 'PARTY_TO', direction: 'OUT', count: COUNT { (p)-[:PARTY_TO]->(:Case) }},
  {type: 'HANDLED', direction: 'OUT', count: COUNT { (p)-[:HANDLED]->(:Case) }},
  {type: 'INTERVENED_IN', direction: 'OUT', count: COUNT { (p)-[:INTERVENED_IN]->(:Case) }}
] AS counts
