// Plain counterpart of bench/graphql_api.py's issue-6 search scenario: the first 21 parties
// whose name matches the Lucene $query (full-text index party_names), best first.
CALL db.index.fulltext.queryNodes('party_names', $query) YIELD node, score
WITH node, score ORDER BY score DESC, node.party_id
LIMIT 21
RETURN score, node.party_id AS id, node.name AS name
