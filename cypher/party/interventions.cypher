// One page of the interventions and inquiries recorded against each official
// (INTERVENED_IN {record_no, kind, occurred_on}), newest first, with the case and the
// intervention record's own fields (description, recorder).
UNWIND $ids AS id
MATCH (o:Party {party_id: id})-[x:INTERVENED_IN]->(k:Case)
WITH id, o, x, k ORDER BY x.occurred_on DESC, x.record_no
WITH id, collect({rel: properties(x), case: properties(k),
                  official: {labels: labels(o), props: properties(o)},
                  record: head([(o)-[:HAS_RECORD]->(r:Record {kind: 'intervention', ref: x.record_no})
                                | properties(r)])}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
