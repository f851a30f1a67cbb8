// The uniqueness constraints in force, for readiness checks and tests.
SHOW CONSTRAINTS YIELD name, labelsOrTypes, properties, type
RETURN name, labelsOrTypes, properties, type
