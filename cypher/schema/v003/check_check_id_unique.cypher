// Natural key of Check: the check id returned to the caller and named in the audit log.
CREATE CONSTRAINT check_check_id_unique IF NOT EXISTS
FOR (n:Check) REQUIRE n.check_id IS UNIQUE
