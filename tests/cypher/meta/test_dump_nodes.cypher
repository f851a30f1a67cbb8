// Test helper: every data node with its labels and properties (loads and migrations left
// out), to compare whole graphs.
MATCH (n) WHERE NOT n:Load AND NOT n:SchemaMigration
RETURN labels(n) AS labels, properties(n) AS props
