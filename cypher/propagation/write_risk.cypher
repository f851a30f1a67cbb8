// Stores changed peripheral-risk scores; a null score removes it.
UNWIND $rows AS row
MATCH (p:Party {party_id: row.party_id})
SET p.risk_score = row.score
