// Natural key of Record: one node per record_key.
CREATE CONSTRAINT record_record_key_unique IF NOT EXISTS
FOR (n:Record) REQUIRE n.record_key IS UNIQUE
