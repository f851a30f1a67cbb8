// Number of data nodes (the schema's bookkeeping not counted); zero means an empty graph.
MATCH (n) WHERE NOT n:SchemaMigration
RETURN count(n) AS nodes
