// One page of the companies each person legally represents (outgoing LEGAL_REP_OF).
UNWIND $ids AS id
MATCH (p:Party {party_id: id})-[x:LEGAL_REP_OF]->(c:Party)
WITH id, p, x, c ORDER BY c.name, c.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(p), props: properties(p)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
