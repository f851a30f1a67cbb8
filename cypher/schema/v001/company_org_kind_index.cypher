// Lookup/filter of Company by org_kind.
CREATE RANGE INDEX company_org_kind IF NOT EXISTS
FOR (n:Company) ON (n.org_kind)
