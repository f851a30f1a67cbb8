// Finds the record updates a load brought (incremental propagation after a load).
CREATE RANGE INDEX record_update_load_id IF NOT EXISTS
FOR (n:RecordUpdate) ON (n.load_id)
