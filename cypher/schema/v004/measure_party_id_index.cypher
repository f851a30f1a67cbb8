// Lookup of the stored measures of a party (checks, GraphQL).
CREATE RANGE INDEX measure_party_id IF NOT EXISTS
FOR (n:Measure) ON (n.party_id)
