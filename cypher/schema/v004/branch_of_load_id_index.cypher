// Finds the BRANCH_OF relationships a load wrote (incremental propagation after a load).
CREATE RANGE INDEX branch_of_load_id IF NOT EXISTS
FOR ()-[r:BRANCH_OF]-() ON (r.load_id)
