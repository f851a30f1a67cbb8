// Test helper: every node with its labels and properties, :Load records and schema bookkeeping
// included (tests/loaders/test_import.py compares the loads too).
MATCH (n)
RETURN labels(n) AS labels, properties(n) AS props
