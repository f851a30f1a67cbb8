// Test helper: rewrites a stored check's answer in place (e.g. deny -> allow), as someone with
// write access to the database might, so that `audit verify` and GET /v1/checks/{id} must notice.
MATCH (c:Check {check_id: $check_id})
SET c.response = $response
