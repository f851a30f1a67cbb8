"""Small named worlds for the rule tests: records and relationships in one line each."""

from __future__ import annotations

from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis import Measure, build_graph, compute_measures
from graph_service.policy import Catalog, default_catalog

AS_OF = date(2026, 11, 26)


def world(
    companies: str | list[str] = "",
    persons: str | list[str] = "",
    records: dict[str, list[dict[str, Any]]] | None = None,
    rels: list[dict[str, Any]] | None = None,
) -> nx.MultiDiGraph[str]:
    """A graph of one-letter (or named) companies and persons; each party's name is its id."""
    records = records or {}
    kinds = [("company", companies), ("person", persons)]
    parties = [
        {"party_id": p, "kind": kind, "name": p, "records": records.get(p, [])}
        for kind, ids in kinds
        for p in ids
    ]
    return build_graph(parties, rels or [])


def holds(holder: str, company: str, pct: float, **dates: str) -> dict[str, Any]:
    """A HOLDS_SHARES relationship."""
    return {"type": "HOLDS_SHARES", "source": holder, "target": company, "stake_pct": pct, **dates}


def officer(person: str, company: str, role: str, **dates: str) -> dict[str, Any]:
    """An OFFICER_OF relationship."""
    return {"type": "OFFICER_OF", "source": person, "target": company, "role": role, **dates}


def rep(person: str, company: str, **dates: str) -> dict[str, Any]:
    """A LEGAL_REP_OF relationship."""
    return {"type": "LEGAL_REP_OF", "source": person, "target": company, **dates}


def branch(branch_id: str, parent: str, **dates: str) -> dict[str, Any]:
    """A BRANCH_OF relationship (branch → parent)."""
    return {"type": "BRANCH_OF", "source": branch_id, "target": parent, **dates}


def contact(a: str, b: str) -> dict[str, Any]:
    """A SHARES_CONTACT relationship."""
    return {"type": "SHARES_CONTACT", "source": a, "target": b, "via": f"phone:{a}{b}"}


def debtor(ref: str, start: str = "2021-06-01", **more: Any) -> dict[str, Any]:
    """A dishonest-debtor listing."""
    return {"kind": "dishonest_debtor", "ref": ref, "start": start, "authority": "法院", **more}


def blacklist(ref: str, start: str = "2024-01-01", **more: Any) -> dict[str, Any]:
    """A domain blacklist entry (a serious dishonesty record)."""
    return {"kind": "blacklist", "ref": ref, "list": "quality", "start": start, **more}


def conviction(case: str, party: str, role: str, closed_on: str) -> dict[str, Any]:
    """A party of a bribery case (start = closed_on)."""
    return {
        "record_key": f"bribery_conviction:{case}|{party}",
        "kind": "bribery_conviction",
        "ref": case,
        "role": role,
        "start": closed_on,
        "authority": "某法院",
    }


def measures(
    graph: nx.MultiDiGraph[str], as_of: date = AS_OF, catalog: Catalog | None = None
) -> dict[str, list[Measure]]:
    """All measures of ``graph`` as of ``as_of`` under the (default) catalog."""
    return compute_measures(graph, catalog or default_catalog(), as_of)


def names(found: dict[str, list[Measure]], party: str) -> set[tuple[str, str | None]]:
    """``(measure, rule)`` pairs of ``party``."""
    return {(m.measure, m.rule) for m in found.get(party, [])}


def route(measure: Measure) -> list[str]:
    """The party ids of a measure's path."""
    return [hop.party_id for hop in measure.path]
