// What the control rule needs above each company as of $on, for graph_service.analysis.control
// (the one rule; the catalog's control.majority_pct and control.officer_roles arrive as
// $majority_pct and $roles). Chains lead up from the company through holder → company pairs
// whose active stakes add up to more than $majority_pct (at most 10 hops and 1000 chains);
// the query returns every active HOLDS_SHARES row of each pair on them, and every active
// OFFICER_OF row with a role in $roles into each party on them (the company included). It
// only narrows what is read: the Python rule decides again, exactly, on these rows.
UNWIND $ids AS id
MATCH (c:Party {party_id: id})
CALL (c) {
  OPTIONAL MATCH p = (c) ((x)<-[r:HOLDS_SHARES]-(h)
      WHERE (r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)
        AND reduce(total = 0.0, stake IN [(h)-[y:HOLDS_SHARES]->(x)
              WHERE (y.since IS NULL OR y.since <= $on) AND (y.until IS NULL OR y.until > $on)
              | coalesce(y.stake_pct, 0.0)] | total + stake) > $majority_pct){1,10} (:Party)
  WITH p LIMIT 1000
  UNWIND CASE WHEN p IS NULL THEN [] ELSE relationships(p) END AS r
  WITH DISTINCT startNode(r) AS h, endNode(r) AS x
  MATCH (h)-[y:HOLDS_SHARES]->(x)
  WHERE (y.since IS NULL OR y.since <= $on) AND (y.until IS NULL OR y.until > $on)
  RETURN collect(DISTINCT h) AS holders,
         collect({holder: h.party_id, company: x.party_id, props: properties(y)}) AS holdings
}
WITH id, holdings, [c] + [h IN holders WHERE h <> c] AS members
RETURN id,
  [n IN members | {labels: labels(n), props: properties(n)}] AS members,
  holdings,
  [n IN members | [(n)<-[o:OFFICER_OF]-(q:Party)
      WHERE o.role IN $roles
        AND (o.since IS NULL OR o.since <= $on) AND (o.until IS NULL OR o.until > $on) |
      {holder: q.party_id, company: n.party_id, props: properties(o),
       party: {labels: labels(q), props: properties(q)}}]] AS officers
