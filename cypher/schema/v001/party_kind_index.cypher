// Lookup/filter of Party by kind.
CREATE RANGE INDEX party_kind IF NOT EXISTS
FOR (n:Party) ON (n.kind)
