// Cases by normalised case number (case_no unique constraint), with the court that heard
// each (HEARD_BY), if known.
UNWIND $ids AS id
MATCH (k:Case {case_no: id})
RETURN id, properties(k) AS props,
  head([(k)-[:HEARD_BY]->(c:Party) | {labels: labels(c), props: properties(c)}]) AS court
