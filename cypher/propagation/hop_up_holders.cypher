// Scope of an incremental run: the holders of the given parties.
UNWIND $ids AS id
MATCH (:Party {party_id: id})<-[:HOLDS_SHARES]-(h:Party)
RETURN DISTINCT h.party_id AS party_id
