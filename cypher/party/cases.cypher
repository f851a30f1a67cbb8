// One page of the cases each party is party to (PARTY_TO with its role), newest filed first;
// $roles (null = all) filters by procedural role.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[x:PARTY_TO]->(k:Case)
WHERE $roles IS NULL OR x.role IN $roles
WITH id, x, k ORDER BY k.filed_on DESC, k.case_no, x.role
WITH id, collect({rel: properties(x), case: properties(k)}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
