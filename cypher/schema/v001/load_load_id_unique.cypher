// Natural key of Load: one node per load_id.
CREATE CONSTRAINT load_load_id_unique IF NOT EXISTS
FOR (n:Load) REQUIRE n.load_id IS UNIQUE
