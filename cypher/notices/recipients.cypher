// The checks since $since that named one of $parties, logged in Neo4j after audit seq
// $after_seq (0: all), with the key that asked and what it was told (the payload's decisions).
// The full-text index finds candidates; the list test keeps exact matches. Callers await the
// index's refresh first (it is eventually consistent).
UNWIND $parties AS party
CALL db.index.fulltext.queryNodes($index, '"' + party + '"') YIELD node
WITH party, node
WHERE node.seq > $after_seq AND node.kind = 'check' AND node.at >= $since
  AND party IN node.parties
  AND node.actor_key_id IS NOT NULL
RETURN party, node.actor_key_id AS key_id, node.check_id AS check_id, node.at AS at,
       node.seq AS seq, node.payload AS payload
