// Each official's posts (outgoing EMPLOYED_AT {position, rank, since, until}), newest first;
// $on as in party/shareholders.
UNWIND $ids AS id
MATCH (o:Party {party_id: id})-[x:EMPLOYED_AT]->(a:Party)
WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on))
WITH id, o, x, a ORDER BY x.since DESC, a.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(o), props: properties(o)},
                  end: {labels: labels(a), props: properties(a)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
