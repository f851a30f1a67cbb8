// Remembers on each loss of $change_ids that its notices were made from the checks logged in
// Neo4j up to audit seq $seq (never back: makers may overlap).
UNWIND $change_ids AS change_id
MATCH (c:MeasureChange {change_id: change_id})
SET c.notices_seq = CASE WHEN c.notices_seq IS NULL OR c.notices_seq < $seq THEN $seq
                         ELSE c.notices_seq END
