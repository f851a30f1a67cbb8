// Natural key of Case: one node per case_no.
CREATE CONSTRAINT case_case_no_unique IF NOT EXISTS
FOR (n:Case) REQUIRE n.case_no IS UNIQUE
