// Every stored peripheral-risk score, for the diff of a full run: [party_id, score] pairs in
// one record (a record per party costs the driver ten times the query).
MATCH (p:Party) WHERE p.risk_score IS NOT NULL
RETURN collect([p.party_id, p.risk_score]) AS scores
