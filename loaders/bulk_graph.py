"""The load statements of ``cypher/load/`` run on a graph held in memory (``credit-graph import``).

``credit-graph import`` writes the store with Neo4j's offline importer, which takes finished
nodes and relationships as CSV. To make exactly the graph ``load-dir`` makes, the import runs
the loader engine itself (:func:`loaders.engine.load_directory`: reading, validation, rejects,
duplicates, batches, ``Ensured``, probing, history, the ``:Load`` records) against
:class:`MemoryGraph`, a :class:`~graph_service.db.Database` whose named load queries are
carried out on Python dicts instead of being sent to Neo4j. Each handler below does what the
``.cypher`` file of the same name does, statement for statement (MERGE, ``SET +=`` with nulls
removing a property, ``ON CREATE``, the deletes of stale derived links, the outcome counts and
returned history), so batch boundaries, the order of writes and every provenance property
come out as they do in Neo4j. A query name without a handler raises: a change to the load
statements must be made here too, and ``tests/loaders/test_import.py`` compares the two graphs.

Invariants: node keys are ``(space, id)`` with space one of party, case, record, update,
contact, load; a relationship's key is ``(type, start key, end key, discriminator)`` where the
discriminator is the property its MERGE names (role, record_no, via) or None.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Any, TypeVar

from graph_service.db import Database, Row, Tx
from graph_service.errors import CreditGraphError
from loaders.bulk_store import SpillMap, SpillStore

NodeKey = tuple[str, str]
RelKey = tuple[str, NodeKey, NodeKey, Any]
Props = dict[str, Any]
T = TypeVar("T")

#: Statuses of a record update that void the record (load/apply_record_updates).
VOIDING = ("repaired", "revoked", "removed")


class UnsupportedStatement(CreditGraphError):
    """A load statement the in-memory graph does not implement: the import cannot be exact."""

    code = "import_unsupported_statement"


class Stamp(datetime):
    """A load time that prints as Neo4j's ``DateTime`` does (nanoseconds), so that history
    entries (JSON of a node's old properties) read as they do after a load through Cypher."""

    def __str__(self) -> str:
        text = self.isoformat(timespec="microseconds")
        return text[:26] + "000" + text[26:]

    @classmethod
    def of(cls, moment: datetime) -> Stamp:
        """The same instant as a :class:`Stamp`."""
        m = moment
        return cls(m.year, m.month, m.day, m.hour, m.minute, m.second, m.microsecond, m.tzinfo)

    def __reduce_ex__(self, protocol: Any) -> tuple[Any, ...]:
        """Pickled as its ISO text (the spill file, loaders/bulk_store.py): ~2 µs a round
        trip, where a datetime's own pickling of its time zone took ~20 µs, on every entity.

        >>> import pickle; s = Stamp.of(datetime.fromisoformat("2024-01-02T03:04:05.5+00:00"))
        >>> back = pickle.loads(pickle.dumps(s)); (back == s, type(back).__name__, str(back))
        (True, 'Stamp', '2024-01-02T03:04:05.500000000+00:00')
        """
        return (_stamp, (self.isoformat(),))


def _stamp(text: str) -> Stamp:
    """A :class:`Stamp` from its ISO text (unpickling)."""
    return Stamp.fromisoformat(text)


@dataclass
class Node:
    """A node: its labels (in the order they were set) and properties."""

    labels: list[str]
    props: Props = field(default_factory=dict)

    def __reduce__(self) -> tuple[Any, ...]:
        """Pickled as its two fields (a dataclass's default goes through copyreg: slower)."""
        return (Node, (self.labels, self.props))

    def label(self, name: str) -> None:
        """``SET n:Label``."""
        if name not in self.labels:
            self.labels.append(name)


def set_map(props: Props, values: dict[str, Any]) -> None:
    """``SET n += $map``: a null value removes the property.

    >>> p = {"a": 1, "b": 2}; set_map(p, {"a": None, "c": 3}); p
    {'b': 2, 'c': 3}
    """
    props.update(values)  # then the nulls out: one C-level update, a loop only over nulls
    for key in [k for k, v in values.items() if v is None]:
        del props[key]


def set_prop(props: Props, key: str, value: Any) -> None:
    """``SET n.key = value``: null removes it."""
    if value is None:
        props.pop(key, None)
    else:
        props[key] = value


def as_date(text: str | None) -> date | None:
    """``date($text)``; null stays null."""
    return date.fromisoformat(text) if text is not None else None


class MemoryGraph(Database):
    """A graph in dicts that runs the loader's named queries (see the module docstring).

    It is a :class:`Database` so that the engine runs on it unchanged; it opens no driver.
    Its maps live in the SQLite file ``spill`` beyond ``settings.import_cache_entries``
    entries in memory (:mod:`loaders.bulk_store`): an entry is changed in place while hot, and
    memory is written out only between the engine's statements and transactions, when no
    statement holds an entry (a history row's entity is the very dict its kind statement
    returned, within one transaction).
    """

    def __init__(self, settings: Any, spill: Path) -> None:  # no super(): no driver, no pool
        # The run's Settings (batch size, fault points, cache), typed Any: loaders/ may not
        # import graph_service.settings (tests/test_layout.py).
        self.settings = settings
        self.store = SpillStore(spill, settings.import_cache_entries)
        self.nodes: SpillMap[NodeKey, Node] = self.store.map("nodes")
        self.rels: SpillMap[RelKey, Props] = self.store.map("rels")
        # (index name, node) → rels; (index, value) → nodes
        self._links: SpillMap[tuple[str, NodeKey], set[RelKey]] = self.store.map("links")
        self._by_prop: SpillMap[tuple[str, str], set[NodeKey]] = self.store.map("by_prop")
        self._handlers: dict[str, Callable[..., list[Row]]] = _handlers(self)

    # --- the Database surface the engine uses --------------------------------------------
    def close(self) -> None:
        """Closes the spill file (the caller removes it)."""
        self.store.close()

    def read(self, name: str, /, timeout_s: float | None = None, **params: Any) -> list[Row]:
        """Runs a named (probe) query on the graph in memory."""
        self.store.settle()
        return self.run(name, params)

    def write(self, name: str, /, timeout_s: float | None = None, **params: Any) -> list[Row]:
        """Runs a named write query on the graph in memory."""
        self.store.settle()
        return self.run(name, params)

    def write_tx(self, work: Callable[[Tx], T], timeout_s: float | None = None) -> T:
        """Runs ``work`` at once (nothing fails half-way in memory, nothing to retry)."""
        self.store.settle()
        return work(_MemoryTx(self))

    def run(self, name: str, params: dict[str, Any]) -> list[Row]:
        """Runs the handler of the named query."""
        handler = self._handlers.get(name)
        if handler is None:
            raise UnsupportedStatement(
                f"the bulk import does not implement the load statement {name!r}:"
                " add it to loaders/bulk_graph.py or load with `credit-graph load-dir`"
            )
        return handler(**params)

    # --- nodes and relationships ------------------------------------------------------------
    def merge_node(self, key: NodeKey, labels: list[str], id_prop: str) -> tuple[Node, bool]:
        """``MERGE (n:Label {id_prop: id})``; True when it was created."""
        node = self.nodes.get(key)
        if node is not None:
            return node, False
        node = self.nodes[key] = Node(list(labels), {id_prop: key[1]})
        return node, True

    def merge_rel(
        self, rel_type: str, start: NodeKey, end: NodeKey, disc: tuple[str, Any] | None = None
    ) -> tuple[Props, bool]:
        """``MERGE (a)-[r:TYPE {disc}]->(b)``; True when it was created."""
        key: RelKey = (rel_type, start, end, disc[1] if disc else None)
        props = self.rels.get(key)
        if props is not None:
            return props, False
        props = self.rels[key] = {disc[0]: disc[1]} if disc else {}
        indexed = _REL_INDEXES.get(rel_type)
        if indexed is not None:
            side = indexed[1]
            by = start if side == "start" else end if side == "end" else ("disc", key[3])
            self._links.setdefault((indexed[0], by), set()).add(key)
        return props, True

    def linked(self, index: str, node: NodeKey) -> list[RelKey]:
        """The relationships an index holds for ``node`` (see ``_REL_INDEXES``), in key order."""
        return sorted(k for k in self._links.get((index, node)) or () if k in self.rels)

    def delete_rels(self, keys: Iterable[RelKey]) -> None:
        """``DELETE r`` for each key."""
        for key in keys:
            self.rels.pop(key, None)

    def index(self, name: str, value: str, node: NodeKey) -> None:
        """Notes a node under a property index (Record.ref, RecordUpdate.record_ref)."""
        self._by_prop.setdefault((name, value), set()).add(node)

    def indexed(self, name: str, value: str) -> list[NodeKey]:
        """The nodes under a property index, in key order."""
        return sorted(self._by_prop.get((name, value)) or ())


#: Relationships that statements find again from one node (to delete stale derived links, to
#: walk a contact's parties or a record's updates): type → (index, indexed by: its start node,
#: its end node, or its discriminator as the key ``("disc", value)``).
_REL_INDEXES: dict[str, tuple[str, str]] = {
    "LEGAL_REP_OF": ("legal_rep", "end"),
    "HEARD_BY": ("heard_by", "start"),
    "HAS_RECORD": ("record_links", "end"),
    "NAMED_IN": ("record_links", "end"),
    "CONCERNS_CASE": ("record_links", "start"),
    "HAS_UPDATE": ("updates", "start"),
    "HAS_CONTACT": ("contact", "end"),
    "INTERVENED_IN": ("intervened", "disc"),
}


class _MemoryTx(Tx):
    """A "transaction" on the graph in memory: statements run as they come."""

    def __init__(self, graph: MemoryGraph) -> None:  # no super().__init__: no driver tx
        self._graph = graph

    def run(self, name: str, /, **params: Any) -> list[Row]:
        """Runs the named query on the graph in memory."""
        return self._graph.run(name, params)


def _handlers(g: MemoryGraph) -> dict[str, Callable[..., list[Row]]]:
    # Imported here: the statements module works on this one's graph (a cycle at import time).
    from loaders import bulk_statements

    return bulk_statements.handlers(g)
