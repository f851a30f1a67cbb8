"""The joint-punishment rules as pure functions over a NetworkX graph (networkx style).

Nothing here reads from or writes to Neo4j: the propagation's reader builds the input graph
(:func:`build_graph`, 1:1 from docs/model.md) and its writer stores the
:class:`Measure` objects. Each module states its rule, its complexity and a toy example;
the policy itself (measures, thresholds, legal basis, decisions) is data, in
``graph_service/policy/catalog.yaml``.
"""

from graph_service.analysis.activity import is_active
from graph_service.analysis.explain import Measure, OriginRecord, PathHop
from graph_service.analysis.graph import add_relationship, build_graph, graph_from_rows
from graph_service.analysis.listed import Listing, listing
from graph_service.analysis.propagate import (
    Propagation,
    affected_component,
    compute_measures,
    propagate,
)
from graph_service.analysis.risk import peripheral_risk

__all__ = [
    "Listing",
    "Measure",
    "OriginRecord",
    "PathHop",
    "Propagation",
    "add_relationship",
    "affected_component",
    "build_graph",
    "compute_measures",
    "graph_from_rows",
    "is_active",
    "listing",
    "peripheral_risk",
    "propagate",
]
