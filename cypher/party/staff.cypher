// One page of the officials employed by each agency or court (incoming EMPLOYED_AT);
// $on as in party/shareholders.
UNWIND $ids AS id
MATCH (a:Party {party_id: id})<-[x:EMPLOYED_AT]-(o:Party)
WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on))
WITH id, a, x, o ORDER BY o.name, o.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(o), props: properties(o)},
                  end: {labels: labels(a), props: properties(a)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
