// Test helper: stores a check that no audit entry records (planted).
CREATE (c:Check)
SET c = $row
