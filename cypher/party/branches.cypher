// One page of each company's branch offices (incoming BRANCH_OF).
UNWIND $ids AS id
MATCH (c:Party {party_id: id})<-[x:BRANCH_OF]-(b:Party)
WITH id, c, x, b ORDER BY b.name, b.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(b), props: properties(b)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
