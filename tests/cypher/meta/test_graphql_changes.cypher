// Test helper (tests/graphql): writes change-log entries in the documented shape
// (:MeasureChange {change_id, run_id, at, party_id, measure, measure_key, rule, record_key,
// change}), as the propagation will.
UNWIND $rows AS row
CREATE (c:MeasureChange)
SET c = row
RETURN count(c) AS created
