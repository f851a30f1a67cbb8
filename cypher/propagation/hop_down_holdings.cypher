// Scope of an incremental run: the companies the given parties hold shares in.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[:HOLDS_SHARES]->(c:Party)
RETURN DISTINCT c.party_id AS party_id
