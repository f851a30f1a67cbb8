// Contradictions: stores a refresh's contradictions (the properties of docs/model.md).
UNWIND $rows AS row
CREATE (c:Contradiction)
SET c = row
RETURN count(c) AS created
