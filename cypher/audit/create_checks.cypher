// Stores checks as answered (request and response as JSON), in the transaction of their
// audit entries; audit_seq links each to its entry.
UNWIND $rows AS row
CREATE (c:Check)
SET c = row
