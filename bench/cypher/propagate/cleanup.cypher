// Removes everything the Cypher-only propagation benchmark wrote: :BenchActive and
// :BenchMeasure nodes, :BENCH_CONTROLS relationships, and the :BenchListed /
// :BenchControlled labels with their bench_* properties on parties. Safe to run twice.
CALL () {
  MATCH (m:BenchMeasure)
  DETACH DELETE m
}
CALL () {
  MATCH (a:BenchActive)
  DETACH DELETE a
}
CALL () {
  MATCH ()-[c:BENCH_CONTROLS]->()
  DELETE c
}
CALL () {
  MATCH (p:BenchListed)
  REMOVE p:BenchListed, p:BenchControlled, p.bench_round, p.bench_level, p.bench_rank,
         p.bench_path, p.bench_reason
}
RETURN count(*) AS done
