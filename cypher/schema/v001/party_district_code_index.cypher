// Lookup/filter of Party by district_code.
CREATE RANGE INDEX party_district_code IF NOT EXISTS
FOR (n:Party) ON (n.district_code)
