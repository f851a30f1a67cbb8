// The newest audit entries that name party $party ("who checked this person, when, why").
// The full-text index finds candidates; the list test keeps exact matches only.
CALL db.index.fulltext.queryNodes($index, $query) YIELD node
WHERE $party IN node.parties
RETURN node {.*} AS entry
ORDER BY node.seq DESC
LIMIT $limit
