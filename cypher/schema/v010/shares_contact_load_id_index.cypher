// Finds the SHARES_CONTACT relationships a load derived (incremental propagation after a
// contacts load: both ends' peripheral risk can change).
CREATE RANGE INDEX shares_contact_load_id IF NOT EXISTS
FOR ()-[r:SHARES_CONTACT]-() ON (r.load_id)
