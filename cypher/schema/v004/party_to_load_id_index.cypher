// Finds the PARTY_TO relationships a load wrote (incremental propagation after a load).
CREATE RANGE INDEX party_to_load_id IF NOT EXISTS
FOR ()-[r:PARTY_TO]-() ON (r.load_id)
