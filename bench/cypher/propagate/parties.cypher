// How many parties the graph holds (the benchmark loads the world when it differs).
MATCH (p:Party)
RETURN count(p) AS parties
