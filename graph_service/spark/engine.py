"""The Spark engine: the same measures, explanations and peripheral risk as
``analysis.propagate.propagate``, from the input tables as DataFrames.

Where the work happens:

* on the executors, in DataFrames: which records and relationships are active on the day
  (``activity.activate`` itself, see frames.py), the control steps, the controller chains of
  R1 and R5, R3's fixed point and its tree of reasons, the branch paths of R4 and peripheral
  risk — every graph iteration (fixpoints.py);
* on the driver, in Python: the final assembly of each measure's explanation from the small
  frames those produce (assemble.py): the active records, the one-hop edges of the R1/R5
  parties, the tight control steps, the reasons, the branch paths.

The result is a :class:`~graph_service.analysis.propagate.Propagation`, the NetworkX engine's
type, so the run stores it through the same diffed write path.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from graph_service.analysis.activity import ActiveIndex, activate, red_listed
from graph_service.analysis.propagate import Propagation
from graph_service.model import RelType
from graph_service.policy.catalog import Catalog
from graph_service.spark import assemble, fixpoints, frames
from graph_service.spark.tables import record_of

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class SparkResult:
    """A Spark run's propagation and the rounds each fixed point took."""

    propagation: Propagation
    rounds: dict[str, int]


def compute(
    inputs: frames.Inputs, catalog: Catalog, catalog_text: str, as_of: date, cap: int
) -> SparkResult:
    """Measures, red lists and peripheral risk of every party on ``as_of`` (see the module)."""
    rounds = fixpoints.Rounds(cap)
    spark = inputs.parties.sparkSession
    active = fixpoints._fix(frames.active_records(inputs, catalog_text, as_of))
    edges = fixpoints._fix(frames.active_edges(inputs, as_of))
    own = fixpoints._fix(frames.serious_until(active))
    index = _index(active.select("party_id", "seq", "record_json").collect(), catalog, as_of)
    _stage("active records and edges")
    facts, names = _facts(spark, edges, own, index, catalog, as_of, rounds)
    _stage("control facts (R1/R5 chains, R3)")
    ctx = assemble.context(_parties(inputs, names, index), catalog, as_of, index)
    found = assemble.measures(ctx, facts)
    roots = [p for p in found if found[p]]
    paths = _branch_paths(spark, edges, roots, rounds)
    for m in list(assemble.r4(ctx, found, paths)):
        found[m.party_id].append(m)
    _stage("measures (R1-R6)")
    risk = fixpoints.peripheral_risk(edges, own.select("party_id"), catalog, rounds)
    scores = {r["party_id"]: float(r["score"]) for r in risk.collect()}
    _stage("peripheral risk")
    result = Propagation(
        as_of=as_of,
        catalog=catalog,
        measures=assemble.finish(found),
        red_listed=frozenset(red_listed(index)),
        risk={p: scores[p] for p in sorted(scores)},
    )
    return SparkResult(result, dict(rounds.taken))


def _stage(name: str) -> None:
    """Logs a finished stage (a long run says where it is; the benchmark, where it stopped)."""
    log.info("spark stage done", extra={"stage": name})


def _index(rows: Iterable[Any], catalog: Catalog, as_of: date) -> ActiveIndex:
    """The active records collected from Spark as the rules read them (stored order);
    ``activate`` is the same function that chose them on the executors."""
    found: dict[str, list[tuple[int, Any]]] = defaultdict(list)
    for party_id, seq, record_json in rows:
        active = activate(record_of(record_json), catalog, as_of)
        if active is not None:
            found[party_id].append((seq, active))
    return {p: [a for _, a in sorted(found[p], key=lambda x: x[0])] for p in found}


def _frame(spark: SparkSession, ids: Iterable[str], column: str = "src") -> DataFrame:
    return spark.createDataFrame([(i,) for i in sorted(set(ids))], f"{column} string")


def _facts(
    spark: SparkSession,
    edges: DataFrame,
    own: DataFrame,
    index: ActiveIndex,
    catalog: Catalog,
    as_of: date,
    rounds: fixpoints.Rounds,
) -> tuple[assemble.Facts, set[str]]:
    """Everything the assembly needs from the graph, and the parties it names."""
    triggers = catalog.r1.trigger_kinds
    r1_sources = [p for p, acts in index.items() if any(a.spec.kind in triggers for a in acts)]
    bribers = list(assemble.r5_sources(index, catalog.r5.conviction_roles))
    steps = fixpoints._fix(frames.control_steps(edges, catalog, as_of))
    up_rows = _chains(steps, _frame(spark, r1_sources), "company", "holder", rounds, "R1 chains")
    down_rows = _chains(steps, _frame(spark, bribers), "holder", "company", rounds, "R5 chains")
    listing = fixpoints.listing(edges, own, catalog, as_of, rounds)
    tree = fixpoints.reason_tree(own, fixpoints.listing_hops(edges, listing), rounds)
    reasons = {
        r["party_id"]: (r["origin"], [h.asDict() for h in r["path"]]) for r in tree.collect()
    }
    holdings: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for r in fixpoints.listed_holdings(edges, listing).collect():
        holdings[r["company"]].append((r["holder"], float(r["stake"])))
    facts = assemble.Facts(
        reps_in=_one_hop_edges(edges, r1_sources, RelType.LEGAL_REP_OF, "target"),
        officers_in=_one_hop_edges(edges, r1_sources, RelType.OFFICER_OF, "target"),
        reps_out=_one_hop_edges(edges, bribers, RelType.LEGAL_REP_OF, "source"),
        up=assemble.tight_steps(up_rows, "holder"),
        down=assemble.tight_steps(down_rows, "company"),
        controlled={r["party_id"]: r["until"] for r in listing.controlled.collect()},
        reasons=reasons,
        holdings=holdings,
    )
    return facts, _named(index, catalog, facts, up_rows, down_rows)


def _chains(
    steps: DataFrame,
    sources: DataFrame,
    frm: str,
    to: str,
    rounds: fixpoints.Rounds,
    name: str,
) -> list[Any]:
    """The tight steps of the widest chains from ``sources``, going ``frm → to``."""
    from pyspark.sql import functions as F

    ends = (F.col(frm).alias("frm"), F.col(to).alias("to"))
    walk = steps.select(*ends, "relation", "role", "stake", "end")
    reach = fixpoints.widest_reach(walk, sources, rounds, name)
    tight = fixpoints.tight_steps(walk, reach)
    return [{**r.asDict(), frm: r["frm"], to: r["to"]} for r in tight.collect()]


def _one_hop_edges(
    edges: DataFrame, parties: list[str], relation: str, side: str
) -> dict[str, list[assemble.Edge]]:
    """Per party on ``side`` of ``relation`` edges: (the other end, {role, until}) in stored
    order (the other end, then seq), as the rules' adjacency gives them."""
    from pyspark.sql import functions as F

    other = "source" if side == "target" else "target"
    ids = _frame(edges.sparkSession, parties, "p")
    chosen = edges.where(F.col("type") == relation).join(ids, F.col(side) == F.col("p"))
    found: dict[str, list[assemble.Edge]] = defaultdict(list)
    for r in chosen.orderBy(side, other, "seq").collect():
        found[r[side]].append((r[other], {"role": r["role"], "until": r["until"]}))
    return found


def _branch_paths(
    spark: SparkSession, edges: DataFrame, roots: list[str], rounds: fixpoints.Rounds
) -> list[tuple[str, list[str], list[date]]]:
    found = fixpoints.branch_paths(edges, _frame(spark, roots, "party_id"), rounds)
    return [(r["root"], list(r["branches"]), list(r["ends"])) for r in found.collect()]


def _named(
    index: ActiveIndex,
    catalog: Catalog,
    facts: assemble.Facts,
    up: list[Any],
    down: list[Any],
) -> set[str]:
    """Every party an explanation may name (before R4, whose branches are added later)."""
    names = set(index)
    fields = tuple(catalog.r2.named_roles.values())
    for actives in index.values():
        names |= {str(a.record[f]) for a in actives for f in fields if a.record.get(f)}
    for by_party in (facts.reps_in, facts.officers_in, facts.reps_out):
        names |= {other for edges in by_party.values() for other, _ in edges}
    names |= {r["holder"] for r in up + down} | {r["company"] for r in up + down}
    for _, hops in facts.reasons.values():
        names |= {h["party_id"] for h in hops}
    names |= set(facts.controlled)
    return names


def _parties(
    inputs: frames.Inputs, names: set[str], index: Mapping[str, Any]
) -> list[dict[str, Any]]:
    """Kind and name of the named parties and of every branch below a named party."""
    from pyspark.sql import functions as F

    spark = inputs.parties.sparkSession
    branch_ids = inputs.edges.where(F.col("type") == RelType.BRANCH_OF.value).select(
        F.col("source").alias("party_id")
    )
    wanted = _frame(spark, names, "party_id").unionByName(branch_ids).distinct()
    chosen = inputs.parties.join(wanted, "party_id")
    return [r.asDict() for r in chosen.collect()]
