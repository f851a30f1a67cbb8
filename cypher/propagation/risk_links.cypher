// Incremental peripheral-risk update (graph_service.propagation.riskscope): the given
// parties' stored scores and every relationship peripheral risk follows, in both
// directions, with the stored score of the party at its other end.
UNWIND $batch.ids AS id
MATCH (p:Party {party_id: id})
RETURN p.party_id AS party_id, p.risk_score AS score,
  [(p)-[x:HOLDS_SHARES|OFFICER_OF|LEGAL_REP_OF|BRANCH_OF|SHARES_CONTACT]-(q:Party) |
      {other: q.party_id, type: type(x), outgoing: startNode(x) = p,
       since: toString(x.since), until: toString(x.until), score: q.risk_score}] AS links
