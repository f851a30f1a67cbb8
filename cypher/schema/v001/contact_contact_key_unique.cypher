// Natural key of Contact: one node per contact_key.
CREATE CONSTRAINT contact_contact_key_unique IF NOT EXISTS
FOR (n:Contact) REQUIRE n.contact_key IS UNIQUE
