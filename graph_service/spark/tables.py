"""The propagation's input as three flat tables — parties, records, edges — shared by the
Parquet export (graph_service/export/) and the Spark engine, and their way back to the
NetworkX graph, so both engines read one input.

Invariants:

* A record is kept exactly as the analysis reads it (``analysis.graph.graph_from_rows``: named
  persons folded into ``named_<role>_id``, bribery-case roles as ``bribery_conviction``
  records) in ``record_json``, dates as ISO text; the typed columns beside it are for readers
  of the Parquet files. Activity is decided from ``record_json`` by
  ``analysis.activity.activate``, in Spark as in NetworkX.
* ``seq`` keeps the order of a party's records and of a party's outgoing edges: NetworkX adds
  up one pair's stakes in that order, so the sums (floats) are the same to the last bit.

>>> rows = [{"party_id": "C", "kind": "company", "name": "甲", "edges": [],
...          "records": [{"record_key": "blacklist:B", "kind": "blacklist", "ref": "B",
...                       "start": "2024-01-01", "named": []}]},
...         {"party_id": "P", "kind": "person", "name": "乙", "records": [],
...          "edges": [{"type": "HOLDS_SHARES", "target": "C", "stake_pct": 60,
...                     "since": None, "until": "2030-01-01"}]}]
>>> t = tables_from_rows(rows)
>>> [r["record_key"] for r in t.records], [(e["source"], e["seq"], e["until"]) for e in t.edges]
(['blacklist:B'], [('P', 0, datetime.date(2030, 1, 1))])
>>> g = graph_from_tables(t)
>>> sorted(g.edges(keys=True)), g.nodes["C"]["records"][0]["start"]
([('P', 'C', 'HOLDS_SHARES')], datetime.date(2024, 1, 1))
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

import networkx as nx

from graph_service.analysis.graph import DATE_FIELDS, _row_records, as_date, build_graph

#: Columns of each table and their types (the Parquet schema; Spark reads the same).
PARTY_COLUMNS = {"party_id": "string", "kind": "string", "name": "string"}
RECORD_COLUMNS = {
    "party_id": "string",
    "seq": "int32",  # the record's place among its party's records
    "record_key": "string",
    "kind": "string",
    "ref": "string",
    "start": "date32",
    "end": "date32",
    "voided_on": "date32",  # the earliest voiding status update (repaired, revoked, removed)
    "record_json": "string",  # every field of the record, as the analysis reads it
}
EDGE_COLUMNS = {
    "source": "string",
    "target": "string",
    "type": "string",
    "seq": "int32",  # the edge's place among its source's outgoing edges
    "stake_pct": "float64",
    "role": "string",
    "since": "date32",
    "until": "date32",
    "via": "string",
}
SCHEMAS = {"parties": PARTY_COLUMNS, "records": RECORD_COLUMNS, "edges": EDGE_COLUMNS}


@dataclass
class Tables:
    """The three tables as lists of row dicts (dates as :class:`date`)."""

    parties: list[dict[str, Any]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    edges: list[dict[str, Any]] = field(default_factory=list)

    def extend(self, other: Tables) -> None:
        """Adds ``other``'s rows after these."""
        self.parties += other.parties
        self.records += other.records
        self.edges += other.edges


def tables_from_rows(rows: Iterable[Mapping[str, Any]]) -> Tables:
    """The tables of rows shaped like ``propagation/read_parties_by_id`` (one batch)."""
    found = Tables()
    for row in rows:
        party = str(row["party_id"])
        found.parties.append({"party_id": party, "kind": row["kind"], "name": row.get("name")})
        records = [_graph_record(r) for r in _row_records(row)]
        found.records += [record_row(party, seq, r) for seq, r in enumerate(records)]
        edges = [{**e, "source": party} for e in row.get("edges") or ()]
        found.edges += [edge_row(seq, e) for seq, e in enumerate(edges)]
    return found


def tables_from_graph(graph: nx.MultiDiGraph[str]) -> Tables:
    """The tables of an analysis graph (the property tests' random worlds)."""
    found = Tables()
    for party, attrs in graph.nodes(data=True):
        found.parties.append({"party_id": party, "kind": attrs["kind"], "name": attrs.get("name")})
        records = attrs.get("records") or ()
        found.records += [record_row(party, seq, r) for seq, r in enumerate(records)]
    for source in graph:
        edges = graph.out_edges(source, keys=True, data=True)
        rows = [{**data, "type": key.partition("#")[0], "source": s, "target": t}
                for s, t, key, data in edges]  # fmt: skip
        found.edges += [edge_row(seq, e) for seq, e in enumerate(rows)]
    return found


def record_row(party: str, seq: int, record: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the records table."""
    return {
        "party_id": party,
        "seq": seq,
        "record_key": str(record["record_key"]),
        "kind": str(record["kind"]),
        "ref": str(record["ref"]),
        "start": as_date(record.get("start")),
        "end": as_date(record.get("end")),
        "voided_on": as_date(record.get("voided_on")),
        "record_json": json.dumps(record, default=_iso, ensure_ascii=False, sort_keys=True),
    }


def edge_row(seq: int, edge: Mapping[str, Any]) -> dict[str, Any]:
    """One row of the edges table."""
    stake = edge.get("stake_pct")
    return {
        "source": str(edge["source"]),
        "target": str(edge["target"]),
        "type": str(edge["type"]),
        "seq": seq,
        "stake_pct": None if stake is None else float(stake),
        "role": edge.get("role"),
        "since": as_date(edge.get("since")),
        "until": as_date(edge.get("until")),
        "via": edge.get("via"),
    }


def record_of(record_json: str) -> dict[str, Any]:
    """A record as the analysis reads it, from its ``record_json``.

    >>> record_of('{"kind": "blacklist", "ref": "B", "start": "2024-01-01"}')["start"]
    datetime.date(2024, 1, 1)
    """
    raw = json.loads(record_json)
    return {k: as_date(v) if k in DATE_FIELDS else v for k, v in raw.items()}


def graph_from_tables(tables: Tables) -> nx.MultiDiGraph[str]:
    """The NetworkX engine's graph of the same tables (edges in ``seq`` order per source)."""
    records: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for row in tables.records:
        records.setdefault(row["party_id"], []).append((row["seq"], record_of(row["record_json"])))
    parties = [
        {**p, "records": [r for _, r in sorted(records.get(p["party_id"], []), key=_first)]}
        for p in tables.parties
    ]
    edges = sorted(tables.edges, key=lambda e: (e["source"], e["seq"]))
    return build_graph(parties, [_edge_dict(e) for e in edges])


def _edge_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    data = {k: v for k, v in row.items() if k != "seq" and v is not None}
    data.setdefault("since", None)
    data.setdefault("until", None)
    return data


def _graph_record(raw: Mapping[str, Any]) -> dict[str, Any]:
    record = {k: as_date(v) if k in DATE_FIELDS else v for k, v in raw.items()}
    record.setdefault("record_key", f"{record['kind']}:{record['ref']}")
    return record


def _first(pair: tuple[int, dict[str, Any]]) -> int:
    return pair[0]


def _iso(value: Any) -> str:
    if isinstance(value, date):
        return value.isoformat()
    raise TypeError(f"not JSON: {value!r}")
