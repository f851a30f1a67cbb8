// Natural key of PropagationRun.
CREATE CONSTRAINT propagation_run_run_id_unique IF NOT EXISTS
FOR (n:PropagationRun) REQUIRE n.run_id IS UNIQUE
