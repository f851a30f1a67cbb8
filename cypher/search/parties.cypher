// Full-text search over party names (index party_names, cjk analyzer: Chinese text is
// indexed as character bigrams, so a quoted substring matches anywhere in a name). $query
// is a Lucene query built by graph_service.gql.search from escaped user input. Filters:
// $kind ('company' | 'person'), $district (prefix of district_code), $org_kind, and
// $has_measure (true: at least one stored measure still applying on $today; false: none).
// Ordered by score, then party_id so that pages are stable. The measure filter sits in a
// CASE so that its subquery runs only when asked for: as `$has_measure IS NULL OR …` the
// planner ran it for every hit of the index (a two-character name piece hits thousands).
CALL db.index.fulltext.queryNodes('party_names', $query) YIELD node, score
WHERE ($kind IS NULL OR node.kind = $kind)
  AND ($district IS NULL OR node.district_code STARTS WITH $district)
  AND ($org_kind IS NULL OR node.org_kind = $org_kind)
  AND CASE WHEN $has_measure IS NULL THEN true
           ELSE $has_measure = EXISTS {
             (node)-[:HAS_MEASURE]->(m:Measure) WHERE m.until IS NULL OR m.until >= $today }
      END
WITH node, score ORDER BY score DESC, node.party_id
SKIP $offset LIMIT $limit
RETURN score, labels(node) AS labels, properties(node) AS props
