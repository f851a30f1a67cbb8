// Lookup/filter of Case by case_type.
CREATE RANGE INDEX case_case_type IF NOT EXISTS
FOR (n:Case) ON (n.case_type)
