// One page of the cases each official handled (outgoing HANDLED with its role), newest filed first.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[x:HANDLED]->(k:Case)
WITH id, x, k ORDER BY k.filed_on DESC, k.case_no
WITH id, collect({rel: properties(x), case: properties(k)}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
