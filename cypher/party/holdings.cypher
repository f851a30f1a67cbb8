// One page of each party's holdings (outgoing HOLDS_SHARES), largest stake first; $on as in
// party/shareholders.
UNWIND $ids AS id
MATCH (h:Party {party_id: id})-[x:HOLDS_SHARES]->(c:Party)
WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on))
WITH id, h, x, c ORDER BY x.stake_pct DESC, c.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(h), props: properties(h)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
