// Scope of an incremental run: companies the given persons represent or hold office in.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[:LEGAL_REP_OF|OFFICER_OF]->(c:Party)
RETURN DISTINCT c.party_id AS party_id
