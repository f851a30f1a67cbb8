// Key names are unique forever, so the audit log's "who" is never ambiguous.
CREATE CONSTRAINT api_key_name_unique IF NOT EXISTS
FOR (n:ApiKey) REQUIRE n.name IS UNIQUE
