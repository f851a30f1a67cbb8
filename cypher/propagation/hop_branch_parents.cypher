// Scope of an incremental run: the parents of the given branches.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[:BRANCH_OF]->(p:Party)
RETURN DISTINCT p.party_id AS party_id
