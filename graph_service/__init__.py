"""credit-graph: a graph-based credit relationship service for a city's social credit system."""

__version__ = "0.1.0"
