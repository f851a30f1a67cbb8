// The parties whose measures the runs $runs gained, lost or changed (their :MeasureChange,
// found through the index on `at` from $since, the snapshot's run's end).
MATCH (c:MeasureChange) WHERE c.at > datetime($since) AND c.run_id IN $runs
RETURN collect(DISTINCT c.party_id) AS parties
