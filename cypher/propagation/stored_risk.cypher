// Every stored peripheral-risk score, for the diff of a full run.
MATCH (p:Party) WHERE p.risk_score IS NOT NULL
RETURN p.party_id AS party_id, p.risk_score AS score
