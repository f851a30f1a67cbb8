// Filters OFFICER_OF relationships by role (active-on-date queries).
CREATE RANGE INDEX officer_of_role IF NOT EXISTS
FOR ()-[r:OFFICER_OF]-() ON (r.role)
