// How many parties the graph holds (the label count store: constant time). An incremental
// run whose scope would exceed a share of them runs fully instead (propagation/runner.py).
MATCH (p:Party)
RETURN count(p) AS parties
