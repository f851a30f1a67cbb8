// One open objection per party and record: open_key (record_ref|party_id) is set while open.
CREATE CONSTRAINT objection_open_key_unique IF NOT EXISTS
FOR (n:Objection) REQUIRE n.open_key IS UNIQUE
