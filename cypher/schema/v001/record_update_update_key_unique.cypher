// Natural key of RecordUpdate: one node per update_key.
CREATE CONSTRAINT record_update_update_key_unique IF NOT EXISTS
FOR (n:RecordUpdate) REQUIRE n.update_key IS UNIQUE
