// Stores changed peripheral-risk scores; a null score removes it. All of a run's scores go in
// one transaction (its last): an incremental update is exact only from a consistent set of
// stored scores, never from half of a killed run's.
UNWIND $rows AS row
MATCH (p:Party {party_id: row.party_id})
SET p.risk_score = row.score
