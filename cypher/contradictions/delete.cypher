// Contradictions: removes the stored ones a refresh no longer finds, or finds changed.
UNWIND $ids AS id
MATCH (c:Contradiction {contradiction_id: id})
DETACH DELETE c
