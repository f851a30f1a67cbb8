// Lookup/filter of Party by name.
CREATE RANGE INDEX party_name IF NOT EXISTS
FOR (n:Party) ON (n.name)
