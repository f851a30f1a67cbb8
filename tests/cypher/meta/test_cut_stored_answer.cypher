// Test helper: cuts a stored check's compressed answer in half, as a damaged or half-written
// row would hold it, so that GET /v1/checks/{id} and `audit verify` must notice.
MATCH (c:Check {check_id: $check_id})
SET c.response_zlib = left(c.response_zlib, size(c.response_zlib) / 2)
