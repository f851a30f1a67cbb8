// One page of the parties to each case (incoming PARTY_TO with its role); $roles (null = all)
// filters by procedural role.
UNWIND $ids AS id
MATCH (k:Case {case_no: id})<-[x:PARTY_TO]-(p:Party)
WHERE $roles IS NULL OR x.role IN $roles
WITH id, x, k, p ORDER BY x.role, p.party_id
WITH id, collect({rel: properties(x), case: properties(k),
                  party: {labels: labels(p), props: properties(p)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
