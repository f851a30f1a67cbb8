// Finds the NAMED_IN relationships a load wrote (incremental propagation after a load).
CREATE RANGE INDEX named_in_load_id IF NOT EXISTS
FOR ()-[r:NAMED_IN]-() ON (r.load_id)
