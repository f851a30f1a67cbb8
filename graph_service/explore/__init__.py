"""Pure functions over small graphs fetched for one question (networkx style).

Nothing here reads from or writes to Neo4j: the GraphQL resolvers fetch the edges with named
queries and hand them over. Each module states its rule, its complexity and a toy example.
"""
