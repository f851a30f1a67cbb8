// The stored measures (key and content hash) of the given parties, for the diff of a run.
UNWIND $batch.ids AS id
MATCH (m:Measure {party_id: id})
RETURN m.measure_key AS measure_key, m.content_hash AS content_hash, m.party_id AS party_id,
       m.measure AS measure, m.rule AS rule, m.record_key AS record_key
