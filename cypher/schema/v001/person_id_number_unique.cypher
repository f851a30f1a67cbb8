// Natural key of Person: one node per id_number.
CREATE CONSTRAINT person_id_number_unique IF NOT EXISTS
FOR (n:Person) REQUIRE n.id_number IS UNIQUE
