// Lookup/filter of Load by started_at.
CREATE RANGE INDEX load_started_at IF NOT EXISTS
FOR (n:Load) ON (n.started_at)
