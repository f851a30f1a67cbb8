// The change log is polled by time: `changes --since`, GraphQL measureChanges.
CREATE RANGE INDEX measure_change_at IF NOT EXISTS
FOR (n:MeasureChange) ON (n.at)
