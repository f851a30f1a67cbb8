"""The ``credit-graph`` command line."""
