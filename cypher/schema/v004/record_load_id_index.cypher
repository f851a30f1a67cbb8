// Finds what a load touched (incremental propagation after a load).
CREATE RANGE INDEX record_load_id IF NOT EXISTS
FOR (n:Record) ON (n.load_id)
