"""The graph in memory as the CSV files of ``neo4j-admin database import full``.

One file per kind of node (its labels and the names and types of its properties) and per kind
of relationship (type, the spaces of its ends and its properties), each with a typed header
(``name:type``), so that every row of a file fills every column: an empty cell would mean a
missing property, and no value ever needs guessing. Node ids are the natural keys, each in its
own id space (``party_id:ID(Party)``), so a relationship names its ends by key. Arrays (a
node's ``history``) are split on :data:`ARRAY_DELIMITER`, a control character no clean value
holds (a value that does is refused, not cut).
"""

from __future__ import annotations

import csv
import operator
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import IO, Any

from graph_service.errors import InvalidInput
from loaders.bulk_graph import MemoryGraph, NodeKey, Stamp

#: Between the elements of an array value (U+001E, the ASCII record separator).
ARRAY_DELIMITER = "\x1e"
#: Node spaces: (id space of the importer, the property that holds the id).
SPACES = {
    "party": ("Party", "party_id"),
    "case": ("Case", "case_no"),
    "record": ("Record", "record_key"),
    "update": ("RecordUpdate", "update_key"),
    "contact": ("Contact", "contact_key"),
    "load": ("Load", "load_id"),
}


@dataclass
class CsvSet:
    """The files written and the importer's arguments that name them."""

    folder: Path
    nodes: list[tuple[str, Path]] = field(default_factory=list)  # (labels "A:B", file)
    relationships: list[tuple[str, Path]] = field(default_factory=list)  # (type, file)
    multiline: bool = False  # a value holds a line break: the importer must be told
    #: Lists of :Load records (``unknown_columns``) the importer cannot write: it reads an
    #: empty array, and ``[""]`` (an empty cell), as no property, so they are set once the
    #: store runs (load id → properties).
    empty_lists: dict[str, dict[str, list[str]]] = field(default_factory=dict)
    node_count: int = 0
    relationship_count: int = 0
    bytes: int = 0

    def importer_args(self) -> list[str]:
        """``--nodes=…``, ``--relationships=…`` and the parsing options these files need."""
        args = [f"--nodes={labels}={path}" for labels, path in self.nodes]
        args += [f"--relationships={rtype}={path}" for rtype, path in self.relationships]
        args += ["--array-delimiter=U+001E", f"--multiline-fields={str(self.multiline).lower()}"]
        return args


def csv_type(value: Any) -> str:
    """The importer's type of a property value.

    >>> [csv_type(v) for v in (True, 3, 2.5, "x", date(2024, 1, 2), ["a"])]
    ['boolean', 'long', 'double', 'string', 'date', 'string[]']
    """
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "long"
    if isinstance(value, float):
        return "double"
    if isinstance(value, datetime):
        return "datetime"
    if isinstance(value, date):
        return "date"
    if isinstance(value, list):
        return "string[]"
    if isinstance(value, str):
        return "string"
    raise InvalidInput(f"a property value of type {type(value).__name__} cannot be imported")


def csv_text(value: Any) -> str:
    """A property value as the importer reads it back.

    >>> [csv_text(v) for v in (False, 0.1, date(2024, 1, 2), ["a", "b"])]
    ['false', '0.1', '2024-01-02', 'a\\x1eb']
    """
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, list):
        if any(ARRAY_DELIMITER in item for item in value):
            raise InvalidInput("a history entry holds the control character U+001E")
        return ARRAY_DELIMITER.join(value)
    return str(value)


def write_csv(graph: MemoryGraph, folder: Path) -> CsvSet:
    """Writes every node and relationship of ``graph`` into ``folder``; returns the file set."""
    folder.mkdir(parents=True, exist_ok=True)
    out = CsvSet(folder)
    with _Files(folder, out) as files:
        for (space, _), node in graph.nodes.items():
            id_space, id_prop = SPACES[space]
            # Only a list can be unwritable: the call per property is kept for lists alone.
            props = {
                k: v
                for k, v in node.props.items()
                if k != id_prop and (type(v) is not list or not _unwritable(v))
            }
            if len(props) + 1 < len(node.props):
                _note_empty_lists(out, space, node.props[id_prop], node.props)
            ends: tuple[str, ...] = (f"{id_prop}:ID({id_space})",)
            files.row("n", ":".join(sorted(node.labels)), ends, (node.props[id_prop],), props)
            out.node_count += 1
        for (rel_type, start, end, _), props in graph.rels.items():
            ends = (_end(":START_ID", start), _end(":END_ID", end))
            files.row("r", rel_type, ends, (start[1], end[1]), props)
            out.relationship_count += 1
    return out


def _unwritable(value: Any) -> bool:
    """A list the importer would not read back as it is: empty, or holding an empty string
    (``[""]`` is written as an empty cell, which reads as no property).

    >>> [_unwritable(v) for v in ([], [""], ["a", ""], ["a"], "")]
    [True, True, True, False, False]
    """
    return isinstance(value, list) and (not value or "" in value)


def _note_empty_lists(out: CsvSet, space: str, node_id: str, props: dict[str, Any]) -> None:
    """Keeps the lists the importer cannot write, set on the staged store afterwards."""
    empty: dict[str, list[str]] = {k: list(v) for k, v in props.items() if _unwritable(v)}
    if not empty:
        return
    if space != "load":  # no statement of cypher/load/ writes such a list elsewhere
        raise InvalidInput(
            f"an empty list or empty string in {sorted(empty)} of {node_id} cannot be imported"
        )
    out.empty_lists[node_id] = empty


def _end(column: str, key: NodeKey) -> str:
    return f"{column}({SPACES[key[0]][0]})"


#: How each Python type of a property value is written (csv_type/csv_text, without the
#: isinstance chain: one dict look-up per cell is what a million rows can afford).
_TEXT: dict[type, Callable[[Any], str]] = {
    str: str, bool: csv_text, int: str, float: repr, date: date.isoformat,
    datetime: datetime.isoformat, Stamp: datetime.isoformat, list: csv_text,
}  # fmt: skip

_Layout = tuple[Any, list[str], list[Callable[[Any], str]]]  # writer, columns, formatters


class _Files:
    """One open CSV writer per (node or relationship, labels or type, typed header).

    Rows are told apart by their signature (the names and Python types of their properties,
    in their order): each signature is worked out once into a file, a column order and one
    formatter per column.
    """

    def __init__(self, folder: Path, out: CsvSet) -> None:
        self.folder, self.out = folder, out
        self._open: dict[tuple[str, str, tuple[str, ...]], tuple[IO[str], Any]] = {}
        self._layouts: dict[tuple[Any, ...], _Layout] = {}

    def __enter__(self) -> _Files:
        return self

    def __exit__(self, *exc: object) -> None:
        for handle, _ in self._open.values():
            self.out.bytes += handle.tell()
            handle.close()

    def row(
        self,
        what: str,
        name: str,
        ends: tuple[str, ...],
        ids: tuple[str, ...],
        props: dict[str, Any],
    ) -> None:
        """Writes one row into the file of its kind (made, with its header, on first use)."""
        signature = (what, name, ends, tuple(props), tuple(map(type, props.values())))
        layout = self._layouts.get(signature)
        if layout is None:
            layout = self._layouts[signature] = self._layout(what, name, ends, props)
        writer, columns, formats = layout
        cells = [*ids, *map(operator.call, formats, map(props.__getitem__, columns))]
        if not self.out.multiline:
            text = "".join(cells)
            self.out.multiline = "\n" in text or "\r" in text
        writer.writerow(cells)

    def _layout(
        self, what: str, name: str, ends: tuple[str, ...], props: dict[str, Any]
    ) -> _Layout:
        columns = sorted(props)
        head = (*ends, *[f"{c}:{csv_type(props[c])}" for c in columns])
        key = (what, name, head)
        if key not in self._open:
            self._open[key] = self._new(what, name, list(head))
        formats = [_TEXT.get(type(props[c]), csv_text) for c in columns]
        return self._open[key][1], columns, formats

    def _new(self, what: str, name: str, head: list[str]) -> tuple[IO[str], Any]:
        path = self.folder / f"{what}{len(self._open):03d}-{name.replace(':', '_')}.csv"
        handle = path.open("w", encoding="utf-8", newline="")
        writer = csv.writer(handle, quoting=csv.QUOTE_ALL, lineterminator="\n")
        writer.writerow(head)
        (self.out.nodes if what == "n" else self.out.relationships).append((name, path))
        return handle, writer
