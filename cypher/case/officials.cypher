// The officials who handled each case (incoming HANDLED with its role).
UNWIND $ids AS id
MATCH (k:Case {case_no: id})<-[x:HANDLED]-(o:Party)
WITH id, x, k, o ORDER BY x.role, o.party_id
WITH id, collect({rel: properties(x), case: properties(k),
                  party: {labels: labels(o), props: properties(o)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
