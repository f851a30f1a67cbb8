// The entity each branch office belongs to (outgoing BRANCH_OF).
UNWIND $ids AS id
MATCH (b:Party {party_id: id})-[x:BRANCH_OF]->(c:Party)
WITH id, b, x, c ORDER BY c.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(b), props: properties(b)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
