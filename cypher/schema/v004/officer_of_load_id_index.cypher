// Finds the OFFICER_OF relationships a load wrote (incremental propagation after a load).
CREATE RANGE INDEX officer_of_load_id IF NOT EXISTS
FOR ()-[r:OFFICER_OF]-() ON (r.load_id)
