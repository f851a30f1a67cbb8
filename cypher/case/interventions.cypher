// The interventions and inquiries recorded on each case (incoming INTERVENED_IN), oldest
// first, with the intervention record's own fields (司法公信: who asked about the case).
UNWIND $ids AS id
MATCH (k:Case {case_no: id})<-[x:INTERVENED_IN]-(o:Party)
WITH id, o, x, k ORDER BY x.occurred_on, x.record_no
WITH id, collect({rel: properties(x), case: properties(k),
                  official: {labels: labels(o), props: properties(o)},
                  record: head([(o)-[:HAS_RECORD]->(r:Record {kind: 'intervention', ref: x.record_no})
                                | properties(r)])}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
