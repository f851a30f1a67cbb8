// Whether the graph holds anything but the schema's bookkeeping: `credit-graph import` only
// fills an empty graph (the importer writes a whole new store). 1 at most: stops at the first.
MATCH (n) WHERE NOT n:SchemaMigration
WITH n LIMIT 1
RETURN count(n) AS nodes
