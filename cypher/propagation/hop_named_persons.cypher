// Scope of an incremental run: persons named in the given parties' records (R2).
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[:HAS_RECORD]->(:Record)<-[:NAMED_IN]-(p:Party)
RETURN DISTINCT p.party_id AS party_id
