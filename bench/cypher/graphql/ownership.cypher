// Plain counterpart of the workbench's ownership view (WorkbenchOwnership: UP, 4 levels, as
// of $on): every holding chain up from the company through holdings active on $on (at most
// 4 hops, no party twice, at most $max_chains chains) with its effective stake, each holder's
// effective stake summed over its chains, and what the control rule reads above the company
// (explore/control_chains, inlined; $majority_pct and $roles from the catalog).
MATCH (c:Party {party_id: $id})
CALL (c) {
  MATCH chain = (c) ((x)<-[r:HOLDS_SHARES]-(h)
      WHERE (r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until > $on)){1,4} ()
  WHERE all(i IN range(0, size(nodes(chain)) - 2) WHERE NOT nodes(chain)[i] IN nodes(chain)[i + 1..])
  WITH chain LIMIT $max_chains
  WITH [n IN nodes(chain) | {id: n.party_id, name: n.name, labels: labels(n)}] AS parties,
       [r IN relationships(chain) | coalesce(r.stake_pct, 0.0)] AS stakes
  WITH parties, stakes, reduce(e = 100.0, s IN stakes | e * s / 100) AS effective
  WITH collect({parties: parties, stakes: stakes, effective: effective}) AS chains
  RETURN chains,
    COLLECT { UNWIND chains AS one
              WITH last(one.parties) AS holder, sum(one.effective) AS pct, count(*) AS n
              RETURN {party: holder, effective: pct, chains: n} ORDER BY pct DESC } AS effective
}
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
WITH c, chains, effective, holdings, [c] + [h IN holders WHERE h <> c] AS members
RETURN properties(c) AS props, chains, effective, holdings,
  [n IN members | {labels: labels(n), props: properties(n)}] AS members,
  [n IN members | [(n)<-[o:OFFICER_OF]-(q:Party)
      WHERE o.role IN $roles
        AND (o.since IS NULL OR o.since <= $on) AND (o.until IS NULL OR o.until > $on) |
      {holder: q.party_id, company: n.party_id, props: properties(o),
       party: {labels: labels(q), props: properties(q)}}]] AS officers
