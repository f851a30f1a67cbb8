"""Starting Spark: the checks that turn a missing Java, a too old one, a missing ``spark``
extra or a master that does not answer into one clear line, and the session itself.

PySpark is imported here and in the engine's modules only, lazily, so that the service and
every other command work without the ``spark`` extra installed.
"""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import sys
import threading
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from graph_service.errors import SparkError, SparkUnavailable
from graph_service.settings import Settings

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

#: The Java release Spark 3.5 is run with here (it supports 8, 11 and 17; the project uses 17).
JAVA_NEEDED = 17
#: What an operator must install to run the engine.
NEEDS = f"Java {JAVA_NEEDED} (apt-get install openjdk-{JAVA_NEEDED}-jre-headless)"


def java_major(version_output: str) -> int | None:
    """The major Java release in ``java -version``'s output (None: not recognised).

    >>> java_major('openjdk version "17.0.15" 2025-04-15')
    17
    >>> java_major('java version "1.8.0_392"'), java_major("nothing")
    (8, None)
    """
    found = re.search(r'version "(\d+)(?:\.(\d+))?', version_output)
    if found is None:
        return None
    major = int(found.group(1))
    return int(found.group(2) or 0) if major == 1 else major


def check_java(java: str) -> None:
    """Refuses, in one line naming what is needed, a Java that is missing or not release 17."""
    try:
        done = subprocess.run(  # noqa: S603 - the operator's configured Java executable
            [java, "-version"], capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.TimeoutExpired):
        raise SparkError(f"the Spark engine needs {NEEDS}; no Java runs as {java!r}") from None
    major = java_major(done.stderr + done.stdout)
    if major != JAVA_NEEDED:
        found = "an unrecognised version" if major is None else f"Java {major}"
        raise SparkError(f"the Spark engine needs {NEEDS}; {java!r} is {found}")


def master_address(master: str) -> tuple[str, int] | None:
    """The host and port to probe for a cluster master (None: local mode, nothing to probe).

    >>> master_address("spark://10.0.0.5:7077"), master_address("local[2]")
    (('10.0.0.5', 7077), None)
    >>> master_address("k8s://https://kube.example:6443")
    ('kube.example', 6443)
    """
    if master.startswith("local"):
        return None
    url = master.removeprefix("k8s://")
    parts = urlsplit(url if "://" in url else f"spark://{url}")
    host = (parts.hostname or "").split(",")[0]
    if not host:
        raise SparkError(f"not a Spark master URL: {master!r} (local[2], spark://host:7077, …)")
    return host, parts.port or (443 if parts.scheme == "https" else 7077)


def check_master(master: str, timeout_s: float) -> None:
    """Refuses a cluster master that does not accept a connection within ``timeout_s``: the
    wait is bounded here, before Spark's own retries (minutes) could start."""
    address = master_address(master)
    if address is None:
        return
    try:
        with socket.create_connection(address, timeout=timeout_s):
            pass
    except OSError as error:
        reason = "no answer" if isinstance(error, TimeoutError) else str(error)
        raise SparkUnavailable(
            f"Spark master {master} does not answer at {address[0]}:{address[1]} "
            f"within {timeout_s:g} s ({reason})"
        ) from None


def spark_session(settings: Settings, master: str | None = None) -> SparkSession:
    """A Spark session on ``master`` (default: the settings'), after the checks above."""
    master = master or settings.spark_master
    check_java(settings.java)
    check_master(master, settings.spark_connect_timeout_s)
    builder = _builder()
    conf: dict[str, Any] = {
        "spark.sql.shuffle.partitions": settings.spark_partitions,
        "spark.default.parallelism": settings.spark_partitions,
        "spark.driver.memory": settings.spark_driver_memory,
        "spark.ui.enabled": "false",
        "spark.ui.showConsoleProgress": "false",
        "spark.sql.session.timeZone": "UTC",  # dates are days, never shifted by a zone
        "spark.pyspark.python": sys.executable,  # workers import graph_service from this env
        "spark.pyspark.driver.python": sys.executable,
    }
    for key, value in conf.items():
        builder = builder.config(key, str(value))
    builder = builder.master(master).appName("credit-graph-propagation")
    if master_address(master) is None:
        return _started(builder)
    return _probed(builder, master, settings.spark_start_timeout_s)


def _started(builder: Any) -> SparkSession:
    session: SparkSession = builder.getOrCreate()
    session.sparkContext.setLogLevel("ERROR")
    return session


def _probed(builder: Any, master: str, timeout_s: float) -> SparkSession:
    """The session of a cluster master once a one-task job ran on it, waiting at most
    ``timeout_s`` for both: a master that accepts the connection but never registers the
    application or never gives executors (not a Spark master, a dead cluster) would otherwise
    hold the start, or every job, for minutes."""
    done, found, failed = threading.Event(), [], []

    def start() -> None:
        try:
            session = _started(builder)
            found.append(session)
            session.sparkContext.parallelize([1], 1).count()
        except Exception as error:  # reported below, whatever Spark raised
            failed.append(error)
        finally:
            done.set()

    threading.Thread(target=start, name="spark-probe", daemon=True).start()
    if done.wait(timeout_s) and not failed:
        return found[0]
    for session in found:
        with contextlib.suppress(Exception):  # the context may have stopped itself already
            session.sparkContext.cancelAllJobs()
            session.stop()
    reason = f"({type(failed[0]).__name__})" if failed else "(no executor in time)"
    raise SparkUnavailable(
        f"Spark master {master} does not answer: a first job did not run within"
        f" {timeout_s:g} s {reason}"
    )


def _builder() -> Any:
    try:
        from pyspark.sql import SparkSession
    except ImportError:
        raise SparkError(
            "the Spark engine needs the spark extra: pip install 'credit-graph[spark]'"
        ) from None
    return SparkSession.builder
