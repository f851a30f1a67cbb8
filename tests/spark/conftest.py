"""One SparkSession for every Spark test (a JVM start costs seconds), local mode, one shuffle
partition: the worlds here are small, and each partition is a task to schedule."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.conftest import make_settings

pytest.importorskip("pyspark", reason="the spark extra is not installed")


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """The tests' SparkSession (local[2])."""
    from graph_service.spark.session import spark_session

    session = spark_session(make_settings(spark_partitions=1))
    yield session
    session.stop()
