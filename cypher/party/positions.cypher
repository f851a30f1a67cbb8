// One page of each person's officer positions (outgoing OFFICER_OF with its role); $roles and $on
// as in party/officers.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})-[x:OFFICER_OF]->(c:Party)
WHERE ($roles IS NULL OR x.role IN $roles)
  AND ($on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)))
WITH id, p, x, c ORDER BY x.since DESC, c.party_id, x.role
WITH id, collect({rel: properties(x), start: {labels: labels(p), props: properties(p)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
