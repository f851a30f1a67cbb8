// Reads a batch of parties the way a propagation's reads reach them (by party_id, through the
// index), every relationship of each and the node at its other end, with all their properties,
// and returns only counts: after a Neo4j start the first run's reads wait for their pages to
// come from disk (0.4-0.9 s at 100,000 parties against ~0.15 s warm, issue 15 item 3), and this
// brings those pages into the page cache without sending the graph to the client
// (graph_service/propagation/warmup.py: read_pages). properties() reads every property value
// (strings and arrays included), so a property the reads add later is covered too — and so
// are properties no run reads (the parties' and records' history texts): with a page cache
// smaller than the store, reading only the runs' columns would evict less (the reviewer's R6;
// measured only at 100,000 parties, where the whole read helps).
UNWIND $batch.ids AS id
MATCH (p:Party {party_id: id})
RETURN count(p) AS parties,
  sum(size(keys(properties(p)))
    + reduce(n = 0, x IN [(p)-[r]-(o) | size(keys(properties(r))) + size(keys(properties(o)))]
             | n + x)) AS values
