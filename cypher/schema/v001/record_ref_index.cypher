// Lookup/filter of Record by ref.
CREATE RANGE INDEX record_ref IF NOT EXISTS
FOR (n:Record) ON (n.ref)
