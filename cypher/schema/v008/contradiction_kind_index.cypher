// Lookup/filter of Contradiction by kind (credit-graph contradictions --kind, GraphQL).
CREATE RANGE INDEX contradiction_kind IF NOT EXISTS
FOR (n:Contradiction) ON (n.kind)
