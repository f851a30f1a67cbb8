// Natural key of ApiKey: the public key id that finds a key (the key itself is never stored).
CREATE CONSTRAINT api_key_key_id_unique IF NOT EXISTS
FOR (n:ApiKey) REQUIRE n.key_id IS UNIQUE
