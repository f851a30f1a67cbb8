// R3, round 0 of the fixed point: parties with an active serious dishonesty record are
// listed. Each is also the root of its own reason (level 0 of the breadth-first tree of
// reasons, ranked by party id): its serious record active longest, then by record key.
MATCH (p:Party)-[:BENCH_ACTIVE]->(a:BenchActive {serious: true})
WITH p, a
ORDER BY p.party_id, a.end DESC, a.record_key
WITH p, head(collect(a.record_key)) AS reason
ORDER BY p.party_id
WITH collect([p, reason]) AS seeds
UNWIND range(0, size(seeds) - 1) AS i
WITH seeds[i][0] AS p, seeds[i][1] AS reason, i
SET p:BenchListed, p.bench_round = 0, p.bench_level = 0, p.bench_rank = i,
    p.bench_path = [p.party_id], p.bench_reason = reason
RETURN count(p) AS listed
