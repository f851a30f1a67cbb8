// Scope of an incremental run: legal representatives and officers of the given companies.
UNWIND $ids AS id
MATCH (:Party {party_id: id})<-[:LEGAL_REP_OF|OFFICER_OF]-(p:Party)
RETURN DISTINCT p.party_id AS party_id
