// Test helper (tests/graphql): creates relationships of the given types between parties by
// party_id, with the given properties.
UNWIND $rows AS row
MATCH (a:Party {party_id: row.source})
MATCH (b:Party {party_id: row.target})
CREATE (a)-[r:$(row.type)]->(b)
SET r = row.props
RETURN count(r) AS created
