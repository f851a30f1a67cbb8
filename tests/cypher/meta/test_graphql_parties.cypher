// Test helper (tests/graphql): creates parties with the given labels and properties, for
// generated worlds (the NetworkX comparison, the DataLoader bound).
UNWIND $rows AS row
CREATE (p:Party)
SET p:$(row.labels), p = row.props
RETURN count(p) AS created
