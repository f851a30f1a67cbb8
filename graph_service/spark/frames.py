"""The engine's DataFrames: the input tables, the records active on the day, the relationships
active on the day, and the one-hop facts the fixed points walk (control steps, pair stakes).

Activity is decided on the executors by :func:`graph_service.analysis.activity.activate`, the
function the NetworkX engine calls, over each record's ``record_json``: whatever that function
learns (publication periods, new ends), both engines apply the same way. The catalog travels
to the executors as its YAML text and is parsed once per Python worker.

Thresholds are the catalog's (``control.majority_pct``, ``rules.R3.threshold_pct``) and the
float tolerance is ``analysis.control.EPSILON``: nothing here has one of its own.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from functools import lru_cache, partial
from typing import TYPE_CHECKING, Any

from graph_service.analysis.activity import activate
from graph_service.analysis.control import EPSILON
from graph_service.analysis.graph import OPEN
from graph_service.model import RelType
from graph_service.policy import parse
from graph_service.policy.catalog import Catalog, parse_catalog
from graph_service.spark.tables import SCHEMAS, Tables, record_of

if TYPE_CHECKING:
    from pyspark.sql import Column, DataFrame, SparkSession

#: Spark's types for the tables' column types.
_SPARK_TYPES = {
    "string": "string",
    "int32": "int",
    "float64": "double",
    "date32": "date",
    "bool": "boolean",
}


def ddl(table: str) -> str:
    """The Spark schema of one input table, as DDL.

    >>> ddl("parties")
    'party_id string, kind string, name string'
    """
    return ", ".join(f"{name} {_SPARK_TYPES[kind]}" for name, kind in SCHEMAS[table].items())


@dataclass(frozen=True)
class Inputs:
    """The three input tables as DataFrames."""

    parties: DataFrame
    records: DataFrame
    edges: DataFrame


def inputs_from_tables(spark: SparkSession, tables: Tables) -> Inputs:
    """DataFrames of in-memory tables (tests, small worlds)."""
    return Inputs(
        spark.createDataFrame(tables.parties, ddl("parties")),
        spark.createDataFrame(tables.records, ddl("records")),
        spark.createDataFrame(tables.edges, ddl("edges")),
    )


def inputs_from_parquet(spark: SparkSession, folder: str) -> Inputs:
    """DataFrames of an export (``credit-graph export DIR``)."""
    return Inputs(*(spark.read.parquet(f"{folder}/{t}") for t in ("parties", "records", "edges")))


# --- the catalog on the executors --------------------------------------------------------------


@lru_cache(maxsize=4)
def catalog_from_text(text: str) -> Catalog:
    """The catalog of its YAML text, parsed once per process (Spark's Python workers)."""
    return parse_catalog(parse.load_yaml(text), "catalog shipped to Spark")


# --- active records and relationships ----------------------------------------------------------

ACTIVE_DDL = (
    "party_id string, seq int, kind string, end date, serious boolean, red_list boolean,"
    " record_json string"
)


def active_records(inputs: Inputs, catalog_text: str, as_of: date) -> DataFrame:
    """The records active on ``as_of`` with their folded end and the catalog's flags."""
    rdd = inputs.records.select("party_id", "seq", "record_json").rdd
    rows = rdd.mapPartitions(partial(_activate_rows, catalog_text, as_of))
    spark = inputs.records.sparkSession
    return spark.createDataFrame(rows, ACTIVE_DDL)


def _activate_rows(
    catalog_text: str, as_of: date, rows: Iterator[Any]
) -> Iterator[tuple[Any, ...]]:
    catalog = catalog_from_text(catalog_text)
    for party_id, seq, record_json in rows:
        found = activate(record_of(record_json), catalog, as_of)
        if found is not None:
            variant = found.variant
            yield (party_id, seq, found.spec.kind, found.end, bool(variant.serious),
                   bool(variant.red_list), record_json)  # fmt: skip


def active_edges(inputs: Inputs, as_of: date) -> DataFrame:
    """The relationships active on ``as_of`` (since ≤ D < until), each with its exclusive
    ``end`` (OPEN when none) — ``analysis.graph.edge_active`` / ``edge_end``."""
    from pyspark.sql import functions as F

    day = F.lit(as_of)
    since, until = F.col("since"), F.col("until")
    active = (since.isNull() | (since <= day)) & (until.isNull() | (day < until))
    return inputs.edges.where(active).withColumn("end", F.coalesce(until, F.lit(OPEN)))


def serious_until(active: DataFrame) -> DataFrame:
    """Parties with an active serious record → the latest end of one (``until``)."""
    from pyspark.sql import functions as F

    serious = active.where(F.col("serious"))
    return serious.groupBy("party_id").agg(F.max("end").alias("until"))


# --- one-hop facts ----------------------------------------------------------------------------


def ordered_sum(value: str, order: str) -> Column:
    """A group's ``value`` added up in ``order`` (as Python adds a list), so float sums match
    NetworkX's to the last bit."""
    from pyspark.sql import functions as F

    items = f"array_sort(collect_list(struct({order} AS o, {value} AS v)))"
    return F.expr(f"aggregate({items}, 0D, (acc, x) -> acc + x.v)")


def pair_stakes(edges: DataFrame) -> DataFrame:
    """Per (holder, company): the active stakes added up in stored order (``stake``)."""
    from pyspark.sql import functions as F

    holds = edges.where(F.col("type") == RelType.HOLDS_SHARES.value)
    holds = holds.withColumn("stake", F.coalesce(F.col("stake_pct"), F.lit(0.0)))
    return holds.groupBy("source", "target").agg(ordered_sum("stake", "seq").alias("stake"))


def threshold_ends(
    parts: DataFrame, keys: list[str], threshold: float, inclusive: bool
) -> DataFrame:
    """Per group of ``keys``: until when its parts (``stake``, ``end``) keep meeting the
    threshold (``analysis.control.threshold_end``: longest-lived first, the part that completes
    it gives the end); groups that never meet it are absent."""
    from pyspark.sql import Window
    from pyspark.sql import functions as F

    order = Window.partitionBy(*keys).orderBy(F.desc("end"), F.desc("stake"))
    running = F.sum("stake").over(order.rowsBetween(Window.unboundedPreceding, 0))
    ranked = parts.withColumn("total", running).withColumn("pos", F.row_number().over(order))
    met = ranked.where(meets(F.col("total"), threshold, inclusive))
    first = met.groupBy(*keys).agg(F.min(F.struct("pos", "end")).alias("first"))
    return first.select(*keys, F.col("first.end").alias("end"))


def meets(total: Column, threshold: float, inclusive: bool) -> Column:
    """``analysis.control.meets`` as a column."""
    return total >= threshold - EPSILON if inclusive else total > threshold + EPSILON


def control_steps(edges: DataFrame, catalog: Catalog, as_of: date) -> DataFrame:
    """Every direct control link (``analysis.control._pair_steps``): ``holder → company`` by
    a majority stake (summed ``stake``, its ``end``) or by an officer role among the catalog's
    control roles. Columns: holder, company, relation, role, stake, end."""
    from pyspark.sql import functions as F

    control = catalog.control
    holds = edges.where(F.col("type") == RelType.HOLDS_SHARES.value)
    parts = holds.withColumn("stake", F.coalesce(F.col("stake_pct"), F.lit(0.0)))
    ends = threshold_ends(parts, ["source", "target"], control.majority_pct, False)
    majority = ends.where(F.col("end") > F.lit(as_of)).join(
        pair_stakes(edges), ["source", "target"]
    )
    stake_steps = majority.select(
        F.col("source").alias("holder"),
        F.col("target").alias("company"),
        F.lit(RelType.HOLDS_SHARES.value).alias("relation"),
        F.lit(None).cast("string").alias("role"),
        "stake",
        "end",
    )
    officers = edges.where(
        (F.col("type") == RelType.OFFICER_OF.value)
        & F.col("role").isin(list(control.officer_roles))
    )
    role_steps = officers.select(
        F.col("source").alias("holder"),
        F.col("target").alias("company"),
        F.lit(RelType.OFFICER_OF.value).alias("relation"),
        "role",
        F.lit(None).cast("double").alias("stake"),
        "end",
    )
    return stake_steps.unionByName(role_steps)
