// Finds the cases a load wrote (incremental propagation after a load: a bribery case's dates,
// type or court are its parties' convictions).
CREATE RANGE INDEX case_load_id IF NOT EXISTS
FOR (n:Case) ON (n.load_id)
