// Every stored measure (key and content hash), for the diff of a full run.
MATCH (m:Measure)
RETURN m.measure_key AS measure_key, m.content_hash AS content_hash, m.party_id AS party_id,
       m.measure AS measure, m.rule AS rule, m.record_key AS record_key
