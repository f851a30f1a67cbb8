"""What every rule reads: the graph, the catalog, the date, the active records; and how a
rule turns a record and a path into a :class:`~graph_service.analysis.explain.Measure`."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis.activity import Active, ActiveIndex, active_index
from graph_service.analysis.control import Step
from graph_service.analysis.explain import Measure, Origin, OriginRecord, PathHop, last_day
from graph_service.policy.catalog import Catalog, Rule

#: A measure's path, from the origin record's party to the measured party.
Path = tuple[PathHop, ...]


@dataclass(frozen=True)
class Context:
    """One computation: the graph as of ``as_of`` under ``catalog``."""

    graph: nx.MultiDiGraph[str]
    catalog: Catalog
    as_of: date
    active: ActiveIndex

    @classmethod
    def of(cls, graph: nx.MultiDiGraph[str], catalog: Catalog, as_of: date) -> Context:
        """The context with the active records indexed once (O(V + R))."""
        return cls(graph, catalog, as_of, active_index(graph, catalog, as_of))

    def hop(self, party: str, relation: str | None = None, **how: Any) -> PathHop:
        """A path hop to ``party`` with its name from the graph."""
        attrs = self.graph.nodes.get(party)
        name = attrs.get("name") if attrs else None
        return PathHop(party, name, None if relation is None else str(relation), **how)

    def path(self, origin: str, steps: Iterable[Step]) -> Path:
        """The path from ``origin`` along ``steps`` (chains from the control module)."""
        hops = [
            self.hop(s.party, relation=s.relation, stake_pct=s.stake_pct, role=s.role)
            for s in steps
        ]
        return (self.hop(origin), *hops)

    def direct(self, party: str, source: Active) -> list[Measure]:
        """The direct measures that ``source``, a record of ``party``, gives it (§2)."""
        record, path = OriginRecord.of(source, party), (self.hop(party),)
        names, basis = source.variant.measures, source.spec.basis
        return self.measures(party, names, None, record, basis, path, last_day(source.end))

    def derive(
        self, party: str, rule: Rule, source: Active, origin: str, path: Path, end: date
    ) -> list[Measure]:
        """The measures of ``rule`` for ``party`` from ``source`` (a record of ``origin``),
        applying until the earlier of the record's end and ``end`` (the path's)."""
        record, until = OriginRecord.of(source, origin), last_day(min(end, source.end))
        return self.measures(party, rule.measures, rule.rule_id, record, rule.basis, path, until)

    def measures(
        self,
        party: str,
        names: Iterable[str],
        rule_id: str | None,
        record: OriginRecord,
        basis: str,
        path: Path,
        until: date | None,
    ) -> list[Measure]:
        """One measure per name, all with the same explanation and the catalog's version."""
        origin: Origin = "direct" if rule_id is None else "derived"
        version = self.catalog.version
        return [
            Measure(party, name, origin, rule_id, record, basis, path, until, version)
            for name in names
        ]
