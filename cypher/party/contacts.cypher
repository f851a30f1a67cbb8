// The contact details each party reported (HAS_CONTACT), with how many parties report each.
UNWIND $ids AS id
MATCH (:Party {party_id: id})-[x:HAS_CONTACT]->(t:Contact)
WITH id, x, t ORDER BY t.kind, t.contact_key
RETURN id, collect({rel: properties(x), contact: properties(t),
                    shared_by: COUNT { (t)<-[:HAS_CONTACT]-(:Party) }}) AS items
