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

from collections.abc import Callable, Iterable, Iterator, Mapping
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


#: Makes the dict a graph keeps for a party's, record's or relationship's fields from a new
#: dict of them (:meth:`_Shared.fields` when building from rows; else the dict as it is).
Fields = Callable[[dict[str, Any]], dict[str, Any]]


def _as_is(fields: dict[str, Any]) -> dict[str, Any]:
    return fields


def _add_party(
    graph: nx.MultiDiGraph[str], party: Mapping[str, Any], fields: Fields = _as_is
) -> None:
    party_id, kind = party.get("party_id"), party.get("kind")
    if not party_id or kind not in PARTY_KINDS:
        raise InvalidInput(f"party needs a party_id and kind company|person: {dict(party)!r}")
    records = [_record(r, fields) for r in party.get("records") or ()]
    node = str(party_id)
    graph.add_node(node)
    attributes = fields({"kind": kind, "name": party.get("name"), "records": records})
    graph._node[node] = attributes  # type: ignore[attr-defined]  # add_node would copy them


def _record(raw: Mapping[str, Any], fields: Fields = _as_is) -> dict[str, Any]:
    record = {k: as_date(v) if k in DATE_FIELDS else v for k, v in raw.items()}
    if not record.get("kind") or not record.get("ref"):
        raise InvalidInput(f"record needs a kind and a ref: {dict(raw)!r}")
    record.setdefault("record_key", f"{record['kind']}:{record['ref']}")
    return fields(record)


def add_relationship(
    graph: nx.MultiDiGraph[str], raw: Mapping[str, Any], fields: Fields = _as_is
) -> str:
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
    graph.add_edge(source, target, key=key)
    # Set after add_edge, which would copy them into a dict of its own. A MultiDiGraph keeps
    # one dict of keys per pair of parties, in both directions' adjacency: a pair's first
    # relationship gets one from ``fields`` too (100,000 parties: 10 MiB less).
    keyed: dict[str, Any] = graph._adj[source][target]  # type: ignore[attr-defined]
    if len(keyed) == 1 and fields is not _as_is:
        keyed = fields({key: fields(data)})
        succ, pred = graph._succ, graph._pred  # type: ignore[attr-defined]
        succ[source][target] = pred[target][source] = keyed
    else:
        keyed[key] = fields(data)
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

    The rows are read once, as they come (a full run streams 100,000s from Neo4j), and not
    kept: each party goes into the graph at once, its relationships wait in a compact form
    until every party is in (as with :func:`build_graph`, in the rows' order), repeated
    texts and dates are stored once, and the dicts of fields with the same keys share one
    table of keys (:class:`_Shared`) — the graph is then about a third of the rows it came
    from.
    """
    graph: nx.MultiDiGraph[str] = nx.MultiDiGraph()
    shared = _Shared()
    waiting: list[tuple[Any, tuple[str, ...], tuple[Any, ...]]] = []
    for row in rows:
        source, kind = shared.text(row.get("party_id")), shared.text(row.get("kind"))
        for edge in row.get("edges") or ():
            keys, dated = shared.shape(edge)
            waiting.append((source, keys, shared.values(dated, edge)))
        records = []
        for record in _row_records(row):
            keys, dated = shared.shape(record)
            records.append(dict(zip(keys, shared.values(dated, record), strict=True)))
        party = {**row, "party_id": source, "kind": kind, "records": records}
        _add_party(graph, party, shared.fields)
    waiting.reverse()
    while waiting:  # popped as added, so each edge's memory goes to the graph's copy of it
        source, keys, values = waiting.pop()
        relationship = dict(zip(keys, values, strict=True))
        relationship["source"] = source
        add_relationship(graph, relationship, shared.fields)
    return graph


class _Shared:
    """One object for each distinct text and date of a graph being built: the rows of a
    Neo4j read bring their own copy of every key, id, type and date (about 50 bytes each,
    some ten a relationship), the graph needs one.

    >>> shared = _Shared()
    >>> keys, dated = shared.shape({"type": "X", "since": "2020-01-01"})
    >>> keys, dated
    (('type', 'since'), (False, True))
    >>> a = shared.values(dated, {"type": "X", "since": "2020-01-01"})
    >>> b = shared.values(dated, {"type": "X", "since": "2020-01-01"})
    >>> a == ("X", date(2020, 1, 1)) and a[1] is b[1]
    True
    >>> shared.values(dated, {"type": "X", "since": ["2020-01-01"]})
    Traceback (most recent call last):
    graph_service.errors.InvalidInput: not a date: ['2020-01-01']
    """

    def __init__(self) -> None:
        self.texts: dict[str, str] = {}
        self.dates: dict[Any, date | None] = {}
        self.shapes: dict[tuple[str, ...], tuple[tuple[str, ...], tuple[bool, ...]]] = {}
        self.layouts: dict[tuple[str, ...], type] = {}

    def fields(self, plain: dict[str, Any]) -> dict[str, Any]:
        """A dict equal to ``plain`` whose table of keys is shared with every other dict of
        the same keys in the same order: CPython keeps an object's attributes that way
        (PEP 412), so each shape of fields gets a class of its own and the dict is a new
        instance's ``__dict__``. It is a plain :class:`dict` in every way but its size: on
        CPython 3.11 a record's 12 fields take 184 bytes instead of 464, a relationship's 5
        120 instead of 184 (100,000 parties' graph: 384 -> 326 MiB of RSS). Another key
        added later only gives the dict a table of its own.

        >>> shared = _Shared()
        >>> a, b = shared.fields({"x": 1, "y": None}), shared.fields({"x": 2, "y": None})
        >>> type(a) is dict and a == {"x": 1, "y": None} and list(b) == ["x", "y"]
        True
        """
        keys = tuple(plain)
        layout = self.layouts.get(keys)
        if layout is None:
            layout = self.layouts[keys] = type("Fields", (), {})
        fields: dict[str, Any] = layout().__dict__
        fields.update(plain.items())  # not update(plain): a dict's table would be copied
        return fields

    def text(self, value: Any) -> Any:
        """The shared copy of a text (anything else as it is)."""
        return self.texts.setdefault(value, value) if type(value) is str else value

    def shape(self, raw: Mapping[str, Any]) -> tuple[tuple[str, ...], tuple[bool, ...]]:
        """``raw``'s keys as one shared tuple of shared texts, and which are DATE_FIELDS."""
        keys = tuple(raw)
        shape = self.shapes.get(keys)
        if shape is None:
            shared = tuple(self.texts.setdefault(k, k) for k in keys)
            shape = self.shapes[keys] = (shared, tuple(k in DATE_FIELDS for k in keys))
        return shape

    def values(self, dated: tuple[bool, ...], raw: Mapping[str, Any]) -> tuple[Any, ...]:
        """``raw``'s values, shared: the ``dated`` ones as :class:`date` (one loop, no calls
        a field: a full run passes some three million fields through here)."""
        texts, dates, found = self.texts, self.dates, []
        for is_date, value in zip(dated, raw.values(), strict=True):
            if is_date:
                if value is not None:
                    try:
                        day = dates[value]
                    except KeyError:
                        day = dates[value] = as_date(value)
                    except TypeError:  # unhashable (a list where a date belongs): refused by name
                        day = as_date(value)
                    value = day
            elif type(value) is str:
                value = texts.setdefault(value, value)
            found.append(value)
        return tuple(found)


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
