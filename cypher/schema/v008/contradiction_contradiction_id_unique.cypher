// Natural key of Contradiction: one stored contradiction per (kind, party, details).
CREATE CONSTRAINT contradiction_contradiction_id_unique IF NOT EXISTS
FOR (n:Contradiction) REQUIRE n.contradiction_id IS UNIQUE
