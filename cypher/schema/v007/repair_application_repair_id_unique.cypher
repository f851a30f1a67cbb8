// Natural key of RepairApplication: the id returned to whoever filed it.
CREATE CONSTRAINT repair_application_repair_id_unique IF NOT EXISTS
FOR (n:RepairApplication) REQUIRE n.repair_id IS UNIQUE
