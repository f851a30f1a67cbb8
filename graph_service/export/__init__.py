"""The propagation's input out of Neo4j as Parquet (``credit-graph export``): see parquet.py."""
