// Test helper: creates (not merges) a party, so that a duplicate key must hit the constraint.
CREATE (p:Party {party_id: $party_id, name: $name})
RETURN p.party_id AS party_id
