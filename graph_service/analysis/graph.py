"""The input graph of the analysis, built 1:1 from the Neo4j model (docs/model.md).

A :class:`networkx.MultiDiGraph` whose nodes are party ids with the attributes ``kind``
(``company`` | ``person``), ``name`` and ``records`` (a list of record dicts with the keys of
``:Record``: ``record_key, kind, ref, start, end, voided_on, authority, severity, list,
category``; tax violations add ``named_legal_rep_id`` / ``named_finance_officer_id``; a party
of a bribery case has a record of kind ``bribery_conviction`` with ``role`` and
``start = closed_on``). Edges point as in the model, keyed by relationship type:

* ``HOLDS_SHARES`` holder → company (``stake_pct``, ``since``, ``until``)
* ``OFFICER_OF`` person → company (``role``, ``since``, ``until``)
* ``LEGAL_REP_OF`` person → company; ``BRANCH_OF`` branch → parent; ``SHARES_CONTACT``

A second edge of one type between the same pair (two roles, a stake taken again) is keyed
``TYPE#2``, ``TYPE#3`` …; :func:`rel_type` reads the type back. A relationship is active on D
while ``since`` ≤ D < ``until`` (``None`` = open).

>>> g = build_graph(
...     [{"party_id": "P", "kind": "person", "name": "张三"},
...      {"party_id": "C", "kind": "company", "name": "甲公司"}],
...     [{"type": "HOLDS_SHARES", "source": "P", "target": "C", "stake_pct": 60},
...      {"type": "OFFICER_OF", "source": "P", "target": "C", "role": "chair"},
...      {"type": "OFFICER_OF", "source": "P", "target": "C", "role": "actual_controller",
...       "until": "2020-01-01"}])
>>> sorted(g["P"]["C"])
['HOLDS_SHARES', 'OFFICER_OF', 'OFFICER_OF#2']
>>> [d["role"] for _, d in edges_in(g, "C", "OFFICER_OF", date(2024, 1, 1))]
['chair']
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from datetime import date, datetime
from typing import Any

import networkx as nx

from graph_service.errors import InvalidInput
from graph_service.model import RelType
from graph_service.policy.catalog import CONVICTION

#: The "open" end of a record or relationship: later than any real date.
OPEN = date.max
#: Relationship types of the input graph.
RELATIONS = frozenset(
    {
        RelType.HOLDS_SHARES,
        RelType.OFFICER_OF,
        RelType.LEGAL_REP_OF,
        RelType.BRANCH_OF,
        RelType.SHARES_CONTACT,
    }
)
#: The relationships measures follow (R1–R5); shared contacts only feed peripheral risk.
RULE_RELATIONS = RELATIONS - {RelType.SHARES_CONTACT}
PARTY_KINDS = frozenset({"company", "person"})
DATE_FIELDS = ("start", "end", "voided_on", "since", "until")


#: node → neighbour → edge key → edge data: one direction of a MultiDiGraph's adjacency.
Adjacency = Mapping[str, Mapping[str, Mapping[str, Mapping[str, Any]]]]


def out_adjacency(graph: nx.MultiDiGraph[str]) -> Adjacency:
    """The graph's outgoing adjacency as plain dicts, read-only by convention.

    networkx's own algorithms read these dicts in their hot loops: the public views wrap
    every neighbour in a new view object, which makes a traversal three times slower.
    """
    return graph._succ  # type: ignore[attr-defined,no-any-return]


def in_adjacency(graph: nx.MultiDiGraph[str]) -> Adjacency:
    """The graph's incoming adjacency as plain dicts (see :func:`out_adjacency`)."""
    return graph._pred  # type: ignore[attr-defined,no-any-return]


def rel_type(key: object) -> str:
    """The relationship type of an edge key (``'OFFICER_OF#2'`` → ``'OFFICER_OF'``)."""
    return str(key).partition("#")[0]


def edge_active(data: Mapping[str, Any], as_of: date) -> bool:
    """True when the relationship is active on ``as_of``: since ≤ as_of < until."""
    since, until = data.get("since"), data.get("until")
    return (since is None or since <= as_of) and (until is None or as_of < until)


def edge_end(data: Mapping[str, Any]) -> date:
    """The first day the relationship is no longer active (:data:`OPEN` if none)."""
    until: date | None = data.get("until")
    return OPEN if until is None else until


def edges_in(
    graph: nx.MultiDiGraph[str], node: str, relation: str, as_of: date
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(source, data)`` of the active ``relation`` edges into ``node``."""
    for source, keyed in in_adjacency(graph)[node].items():
        for key, data in keyed.items():
            if rel_type(key) == relation and edge_active(data, as_of):
                yield source, data


def edges_out(
    graph: nx.MultiDiGraph[str], node: str, relation: str, as_of: date
) -> Iterator[tuple[str, Mapping[str, Any]]]:
    """``(target, data)`` of the active ``relation`` edges out of ``node``."""
    for target, keyed in out_adjacency(graph)[node].items():
        for key, data in keyed.items():
            if rel_type(key) == relation and edge_active(data, as_of):
                yield target, data


def name_of(graph: nx.MultiDiGraph[str], party: str) -> str | None:
    """The party's name, if the graph knows the party."""
    return graph.nodes[party].get("name") if party in graph else None


def is_company(graph: nx.MultiDiGraph[str], party: str) -> bool:
    """True for a company node (a party of unknown kind is neither company nor person)."""
    return party in graph and graph.nodes[party].get("kind") == "company"


def is_person(graph: nx.MultiDiGraph[str], party: str) -> bool:
    """True for a person node."""
    return party in graph and graph.nodes[party].get("kind") == "person"


# --- building ---------------------------------------------------------------------------------


def build_graph(
    parties: Iterable[Mapping[str, Any]], relationships: Iterable[Mapping[str, Any]]
) -> nx.MultiDiGraph[str]:
    """The input graph from plain dicts (dates as :class:`date` or ISO strings).

    A party is ``{party_id, kind, name, records}``; a relationship is ``{type, source,
    target}`` plus its properties (``stake_pct``, ``role``, ``since``, ``until``, ``via``).
    A relationship to a party that is not given is an :class:`InvalidInput`.
    """
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    for party in parties:
        _add_party(graph, party)
    for relationship in relationships:
        add_relationship(graph, relationship)
    return graph


def _add_party(graph: nx.MultiDiGraph[str], party: Mapping[str, Any]) -> None:
    party_id, kind = party.get("party_id"), party.get("kind")
    if not party_id or kind not in PARTY_KINDS:
        raise InvalidInput(f"party needs a party_id and kind company|person: {dict(party)!r}")
    records = [_record(r) for r in party.get("records") or ()]
    graph.add_node(str(party_id), kind=kind, name=party.get("name"), records=records)


def _record(raw: Mapping[str, Any]) -> dict[str, Any]:
    record = {k: as_date(v) if k in DATE_FIELDS else v for k, v in raw.items()}
    if not record.get("kind") or not record.get("ref"):
        raise InvalidInput(f"record needs a kind and a ref: {dict(raw)!r}")
    record.setdefault("record_key", f"{record['kind']}:{record['ref']}")
    return record


def add_relationship(graph: nx.MultiDiGraph[str], raw: Mapping[str, Any]) -> str:
    """Adds one relationship dict to ``graph``; returns its edge key."""
    kind, source, target = raw.get("type"), str(raw.get("source")), str(raw.get("target"))
    if kind not in RELATIONS:
        raise InvalidInput(f"unknown relationship type {kind!r}; known: {sorted(RELATIONS)}")
    if source not in graph or target not in graph:
        raise InvalidInput(f"{kind} {source!r} → {target!r} refers to a party not given")
    data: dict[str, Any] = {
        k: as_date(v) if k in DATE_FIELDS else v for k, v in raw.items() if k not in _ENDS
    }
    if raw.get("stake_pct") is not None:
        data["stake_pct"] = float(raw["stake_pct"])
    key, copy, taken = str(kind), 2, graph.succ[source].get(target, {})
    while key in taken:
        key, copy = f"{kind}#{copy}", copy + 1
    graph.add_edge(source, target, key=key, **data)
    return key


_ENDS = frozenset({"type", "source", "target"})


def graph_from_rows(rows: Iterable[Mapping[str, Any]]) -> nx.MultiDiGraph[str]:
    """The input graph from rows shaped like the propagation's read query: a party with its
    ``records`` (each with ``named: [{party_id, role}]``), its bribery-case ``convictions``
    (``case_no, role, closed_on, court``) and its outgoing ``edges`` (``type, target, …``).

    >>> g = graph_from_rows([
    ...     {"party_id": "C", "kind": "company", "name": "甲", "edges": [],
    ...      "records": [{"record_key": "tax_violation:T", "kind": "tax_violation", "ref": "T",
    ...                   "start": "2025-01-01",
    ...                   "named": [{"party_id": "P", "role": "legal_rep"}]}]},
    ...     {"party_id": "P", "kind": "person", "name": "乙", "records": [],
    ...      "convictions": [{"case_no": "K1", "role": "briber", "closed_on": "2023-01-02",
    ...                       "court": "某法院"}],
    ...      "edges": [{"type": "LEGAL_REP_OF", "target": "C", "since": None, "until": None}]}])
    >>> g.nodes["C"]["records"][0]["named_legal_rep_id"], g.nodes["P"]["records"][0]["ref"]
    ('P', 'K1')
    >>> list(g.edges(keys=True))
    [('P', 'C', 'LEGAL_REP_OF')]
    """
    rows = list(rows)
    parties = [{**row, "records": _row_records(row)} for row in rows]
    edges = [{**edge, "source": row["party_id"]} for row in rows for edge in row.get("edges") or ()]
    return build_graph(parties, edges)


def _row_records(row: Mapping[str, Any]) -> list[dict[str, Any]]:
    records = []
    for raw in row.get("records") or ():
        record = {k: v for k, v in raw.items() if k != "named"}
        for named in raw.get("named") or ():  # NAMED_IN {role} → named_<role>_id
            record[f"named_{named['role']}_id"] = named["party_id"]
        records.append(record)
    for case in row.get("convictions") or ():  # PARTY_TO a bribery case, active from closed_on
        key = f"{CONVICTION}:{case['case_no']}|{row['party_id']}"
        records.append(
            {
                "record_key": key,
                "kind": CONVICTION,
                "ref": case["case_no"],
                "role": case.get("role"),
                "start": case.get("closed_on"),
                "authority": case.get("court"),
                "provenance": case.get("provenance"),  # the PARTY_TO row, when read
            }
        )
    return records


def as_date(value: Any) -> date | None:
    """A :class:`date` from a date, a datetime, an ISO string or a Neo4j ``Date``.

    >>> as_date("2026-11-26"), as_date(None)
    (datetime.date(2026, 11, 26), None)
    """
    if value is None or value == "":
        return None
    if type(value) is str:  # the common case first: the propagation reads dates as text
        try:
            return date.fromisoformat(value)
        except ValueError:
            raise InvalidInput(f"not a date: {value!r}") from None
    if hasattr(value, "to_native"):  # neo4j.time.Date, without importing the driver here
        value = value.to_native()
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise InvalidInput(f"not a date: {value!r}") from None
