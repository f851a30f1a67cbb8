// The legal representative of each company (incoming LEGAL_REP_OF; at most one is kept).
UNWIND $ids AS id
MATCH (c:Party {party_id: id})<-[x:LEGAL_REP_OF]-(p:Party)
WITH id, c, x, p ORDER BY p.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(p), props: properties(p)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
