"""Spark's answers equal NetworkX's exactly: the sample world on several dates, and the
property tests' random worlds (their own strategy, few examples: each is a Spark run)."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings

from graph_service.analysis import build_graph
from tests.analysis import sample_world
from tests.analysis.test_properties import AS_OF, worlds
from tests.spark.equal import assert_equal, both

DATES = [date(2026, 11, 26), date(2030, 1, 1)]  # each is a Spark run: seconds


@pytest.mark.parametrize("as_of", DATES, ids=str)
def test_sample_world_equals_networkx(spark: Any, as_of: date) -> None:
    graph = build_graph(sample_world.parties(), sample_world.relationships())
    nx_result, spark_result = both(spark, graph, as_of)
    assert nx_result.measures  # the comparison is not vacuous
    assert_equal(nx_result, spark_result)


@settings(
    max_examples=4, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(worlds())
def test_random_worlds_equal_networkx(spark: Any, world: Any) -> None:
    nx_result, spark_result = both(spark, build_graph(*world), AS_OF)
    assert_equal(nx_result, spark_result)
