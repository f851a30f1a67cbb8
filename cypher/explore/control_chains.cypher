// The control edges above each company as of $on (the policy's controllers, §3): every chain
// of majority holdings (active stake > 50%) leading up from it, at most 10 hops and 1000
// chains, and the persons with an active actual_controller officer role in the company or in
// any majority holder on those chains. graph_service.explore.control turns the edges into
// controllers and their chains.
UNWIND $ids AS id
MATCH (c:Party {party_id: id})
CALL (c) {
  OPTIONAL MATCH p = (c)<-[:HOLDS_SHARES*1..10]-(:Party)
  WHERE all(r IN relationships(p) WHERE r.stake_pct > 50
            AND (r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on))
  WITH p LIMIT 1000
  RETURN collect(last(relationships(p))) AS majority
}
WITH id, majority,
     reduce(seen = [c], r IN majority |
            CASE WHEN startNode(r) IN seen THEN seen ELSE seen + startNode(r) END) AS members
RETURN id,
  [n IN members | {labels: labels(n), props: properties(n)}] AS members,
  [r IN majority | {holder: startNode(r).party_id, company: endNode(r).party_id,
                    relation: 'HOLDS_SHARES', props: properties(r)}] AS majority,
  [n IN members | [(n)<-[o:OFFICER_OF]-(q:Party)
      WHERE o.role = 'actual_controller'
        AND (o.since IS NULL OR o.since <= $on) AND (o.until IS NULL OR o.until > $on) |
      {holder: q.party_id, company: n.party_id, relation: 'ACTUAL_CONTROLLER',
       props: properties(o), party: {labels: labels(q), props: properties(q)}}]] AS actual
