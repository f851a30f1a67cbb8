// Lists the loads of one registry kind.
CREATE RANGE INDEX load_kind IF NOT EXISTS
FOR (n:Load) ON (n.kind)
