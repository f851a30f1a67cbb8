// Finds the HOLDS_SHARES relationships a load wrote (incremental propagation after a load).
CREATE RANGE INDEX holds_shares_load_id IF NOT EXISTS
FOR ()-[r:HOLDS_SHARES]-() ON (r.load_id)
