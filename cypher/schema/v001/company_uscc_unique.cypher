// Natural key of Company: one node per uscc.
CREATE CONSTRAINT company_uscc_unique IF NOT EXISTS
FOR (n:Company) REQUIRE n.uscc IS UNIQUE
