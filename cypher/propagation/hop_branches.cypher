// Scope of an incremental run: the branches of the given companies.
UNWIND $ids AS id
MATCH (:Party {party_id: id})<-[:BRANCH_OF]-(b:Party)
RETURN DISTINCT b.party_id AS party_id
