// The change log of one party.
CREATE RANGE INDEX measure_change_party_id IF NOT EXISTS
FOR (n:MeasureChange) ON (n.party_id)
