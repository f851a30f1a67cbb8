// One page of each company's shareholders (incoming HOLDS_SHARES), largest stake first.
// $on (null = every holding, past and present) keeps the holdings active that day:
// since <= $on < until, a null bound being open.
UNWIND $ids AS id
MATCH (c:Party {party_id: id})<-[x:HOLDS_SHARES]-(h:Party)
WHERE $on IS NULL OR ((x.since IS NULL OR x.since <= $on) AND (x.until IS NULL OR x.until > $on))
WITH id, c, x, h ORDER BY x.stake_pct DESC, h.party_id
WITH id, collect({rel: properties(x), start: {labels: labels(h), props: properties(h)},
                  end: {labels: labels(c), props: properties(c)}}) AS rows
RETURN id, size(rows) AS total, rows[$offset..$offset + $limit] AS items
