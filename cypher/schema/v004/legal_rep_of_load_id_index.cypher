// Finds the LEGAL_REP_OF relationships a load wrote (incremental propagation after a load).
CREATE RANGE INDEX legal_rep_of_load_id IF NOT EXISTS
FOR ()-[r:LEGAL_REP_OF]-() ON (r.load_id)
