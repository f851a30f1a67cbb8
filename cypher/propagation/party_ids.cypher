// Every party's id, in order, as one list: a full propagation run reads the parties in
// batches of these ids with propagation/read_parties_by_id, so that one query holds the
// projection.
MATCH (p:Party)
WITH p.party_id AS party_id ORDER BY party_id
RETURN collect(party_id) AS ids
