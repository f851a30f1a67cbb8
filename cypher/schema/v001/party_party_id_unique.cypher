// Natural key of Party: one node per party_id.
CREATE CONSTRAINT party_party_id_unique IF NOT EXISTS
FOR (n:Party) REQUIRE n.party_id IS UNIQUE
