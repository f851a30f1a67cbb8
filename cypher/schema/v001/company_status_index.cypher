// Lookup/filter of Company by status.
CREATE RANGE INDEX company_status IF NOT EXISTS
FOR (n:Company) ON (n.status)
