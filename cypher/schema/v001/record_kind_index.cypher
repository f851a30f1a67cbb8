// Lookup/filter of Record by kind.
CREATE RANGE INDEX record_kind IF NOT EXISTS
FOR (n:Record) ON (n.kind)
