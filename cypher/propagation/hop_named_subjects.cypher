// Scope of an incremental run: subjects of the records the given persons are named in (R2).
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[:NAMED_IN]->(:Record)<-[:HAS_RECORD]-(s:Party)
RETURN DISTINCT s.party_id AS party_id
