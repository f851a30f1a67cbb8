// Finds the parties a load created or changed (incremental propagation after a load).
CREATE RANGE INDEX party_load_id IF NOT EXISTS
FOR (n:Party) ON (n.load_id)
