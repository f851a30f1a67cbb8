// One page of the parties sharing a contact with each party (SHARES_CONTACT, either
// direction: the loader stores one edge per pair, from the smaller party_id). These links
// are inferred (疑似关联), never registry facts.
UNWIND $ids AS id
MATCH (p:Party {party_id: id})-[x:SHARES_CONTACT]-(q:Party)
WITH id, p, x, q ORDER BY q.party_id, x.via
WITH id, collect({rel: properties(x), start: {labels: labels(p), props: properties(p)},
                  end: {labels: labels(q), props: properties(q)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
