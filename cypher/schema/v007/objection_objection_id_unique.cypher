// Natural key of Objection: the id returned to whoever filed it.
CREATE CONSTRAINT objection_objection_id_unique IF NOT EXISTS
FOR (n:Objection) REQUIRE n.objection_id IS UNIQUE
