// One page of each company's officers (incoming OFFICER_OF with its role); $roles (null = all)
// filters by role, $on as in party/shareholders.
UNWIND $ids AS id
MATCH (c:Party {party_id: id})<-[x:OFFICER_OF]-(p:Party)
WHERE ($roles IS NULL OR x.role IN $roles)
  AND ($on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on)))
WITH id, c, x, p ORDER BY x.role, x.since, p.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(p), props: properties(p)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
