"""Propagation of joint-punishment measures: Neo4j in, NetworkX analysis, Neo4j out."""
