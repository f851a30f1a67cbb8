"""Running both engines on one input and comparing everything they answer."""

from __future__ import annotations

from datetime import date
from importlib import resources
from typing import Any

import networkx as nx

from graph_service.analysis import propagate
from graph_service.analysis.propagate import Propagation
from graph_service.policy import default_catalog
from graph_service.policy.catalog import Catalog
from graph_service.spark import engine, frames
from graph_service.spark.tables import Tables, graph_from_tables, tables_from_graph

CATALOG_TEXT = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")


def both(
    spark: Any, graph: nx.MultiDiGraph[str], as_of: date, catalog: Catalog | None = None
) -> tuple[Propagation, Propagation]:
    """NetworkX's and Spark's propagation of ``graph`` on ``as_of``."""
    catalog = catalog or default_catalog()
    tables = tables_from_graph(graph)
    return propagate(graph, catalog, as_of), _spark(spark, tables, catalog, as_of)


def both_of_tables(spark: Any, tables: Tables, as_of: date) -> tuple[Propagation, Propagation]:
    """The same, from the input tables (an export)."""
    catalog = default_catalog()
    return propagate(graph_from_tables(tables), catalog, as_of), _spark(
        spark, tables, catalog, as_of
    )


def _spark(spark: Any, tables: Tables, catalog: Catalog, as_of: date) -> Propagation:
    inputs = frames.inputs_from_tables(spark, tables)
    return engine.compute(inputs, catalog, CATALOG_TEXT, as_of, cap=100).propagation


def assert_equal(nx_result: Propagation, spark_result: Propagation) -> None:
    """Party, measure, rule, record, path (hop by hop: party, name, relation, stake, role),
    until, basis and catalog version exactly; red lists exactly; risk to 1e-9."""
    assert _facts(spark_result) == _facts(nx_result)
    assert spark_result.measures == nx_result.measures  # the same order as well
    assert spark_result.red_listed == nx_result.red_listed
    assert spark_result.risk.keys() == nx_result.risk.keys()
    for party, score in nx_result.risk.items():
        assert abs(spark_result.risk[party] - score) <= 1e-9, party


def _facts(result: Propagation) -> dict[str, list[dict[str, Any]]]:
    return {party: [m.as_dict() for m in ms] for party, ms in result.measures.items()}
