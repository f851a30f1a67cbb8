// Natural key of MeasureChange (run id + measure key + change).
CREATE CONSTRAINT measure_change_change_id_unique IF NOT EXISTS
FOR (n:MeasureChange) REQUIRE n.change_id IS UNIQUE
