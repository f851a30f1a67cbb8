"""Related parties of a report (关联主体): ties as registered, and the policy's controllers.

A company's report names its legal representative, its controllers (实际控制人, by the
catalog's control rule: :mod:`graph_service.analysis.control`, as GraphQL's
``actualControllers`` and the propagation decide them), its main holders (largest stakes
first), its officers, its branches and the entity it is a branch of. A person's report names
the companies the person represents, holds stakes in and serves as an officer. Lists that
take a day keep the ties of the report's day; the others show every tie with ``active``.

Every party is shown as ``{party_id, kind, name}``: ``kind == "person"`` lets masking find
persons (graph_service/security/masking.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis import control
from graph_service.gql.convert import is_active
from graph_service.policy.catalog import Control
from graph_service.report.chapters import provenance
from graph_service.report.reading import Listing

#: Which end of each list's rows is the related party (the other one is the report's party).
OTHER_END = {
    "legal_representative": "start",
    "shareholders": "start",
    "officers": "start",
    "branches": "start",
    "parent": "end",
    "represents": "end",
    "positions": "end",
    "holdings": "end",
}


def party_ref(node: Mapping[str, Any]) -> dict[str, Any]:
    """A party as reports name it, from a ``{labels, props}`` row.

    >>> party_ref({"labels": ["Party", "Person"], "props": {"party_id": "P", "name": "张伟"}})
    {'party_id': 'P', 'kind': 'person', 'name': '张伟'}
    """
    props = node["props"]
    kind = "company" if "Company" in node["labels"] else "person"
    return {"party_id": props.get("party_id"), "kind": kind, "name": props.get("name")}


def number_text(value: Any) -> str | None:
    """A number as text, the way signed content carries numbers (no floats: their text form
    differs between languages).

    >>> number_text(70.0), number_text(33.333), number_text(None), number_text(5000000)
    ('70', '33.333', None, '5000000')
    """
    if value is None or isinstance(value, bool) or not isinstance(value, int | float):
        return None
    if float(value).is_integer():
        return str(int(value))
    return repr(float(value))


def tie(key: str, row: Mapping[str, Any], as_of: date) -> dict[str, Any]:
    """One related party of list ``key`` and its tie, from a ``{rel, start, end}`` row."""
    rel = row["rel"]
    return {
        "party": party_ref(row[OTHER_END[key]]),
        "role": rel.get("role"),
        "stake_pct": number_text(rel.get("stake_pct")),
        "subscribed_cny": number_text(rel.get("subscribed_cny")),
        "since": rel.get("since"),
        "until": rel.get("until"),
        "active": is_active(rel, as_of),
        "provenance": provenance(rel),
    }


def ties(lists: Mapping[str, Listing], as_of: date) -> dict[str, dict[str, Any]]:
    """Every list of related parties: its ``total`` and the rows shown (``items``)."""
    return {
        key: {"total": found.total, "items": [tie(key, row, as_of) for row in found.rows]}
        for key, found in lists.items()
    }


def controllers(
    row: Mapping[str, Any] | None, company: str, rule: Control, as_of: date
) -> list[dict[str, Any]]:
    """The company's controllers with their chains, from its ``explore/control_chains`` row."""
    if row is None:
        return []
    graph, parties = control.control_input(row)
    above = control.control_graph(graph, company, rule, as_of)
    return [
        {
            "party": party_ref(parties[found.party]),
            "ultimate": found.ultimate,
            "chains": [_chain(above, chain) for chain in found.chains],
        }
        for found in control.control_chains(above, company)
    ]


def _chain(above: nx.MultiDiGraph[str], chain: tuple[str, ...]) -> list[dict[str, Any]]:
    return [
        {
            "controller": hop.controller,
            "controlled": hop.controlled,
            "relations": list(hop.relations),
            "stake_pct": number_text(hop.stake_pct),
        }
        for hop in control.chain_hops(above, chain)
    ]
