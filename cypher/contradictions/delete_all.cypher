// Contradictions: removes every stored one; a refresh then creates the new set in the same
// transaction (graph_service/explore/contradictions.py), so readers see one refresh or the other.
MATCH (c:Contradiction)
DETACH DELETE c
