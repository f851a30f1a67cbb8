"""The import's graph on disk: maps whose entries live in SQLite, the recent ones in memory.

``credit-graph import`` builds the whole graph before the importer can run (a later file
changes, fills or links entities of an earlier one: later wins with history, stubs get their
names, records their updates), so the graph cannot be streamed out file by file. Held in
Python dicts it took ~1.5 GiB at 1M rows. Here each map of :class:`~loaders.bulk_graph.MemoryGraph`
(nodes, relationships, its two look-up indexes) is a :class:`SpillMap`: an entry read or
made is kept in memory (its "hot" dict) and changed there in place, exactly as before; when
more than ``limit`` entries are hot in all maps together, at a point where no statement holds
an entry (:meth:`SpillStore.settle`, called before each statement or transaction of the
engine), every hot entry is written to the SQLite file and memory is emptied. So memory is
bounded by ``limit`` entries plus one transaction's, whatever the size of the graph.

The file is scratch: no journal, no fsync (a crash loses it, and the import starts from the
registry files again anyway). A full disk raises ``OSError(ENOSPC)``, which the CLI reports as
it does for the CSV files.
"""

from __future__ import annotations

import errno
import pickle
import sqlite3
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Generic, TypeVar

K = TypeVar("K")
V = TypeVar("V")

#: SQLite's own page cache, in KiB (it counts in the process's memory like the hot entries).
PAGE_CACHE_KIB = 65536
#: A map's statements; ``{t}`` is its table, a name made by this module, never input.
SQL = {
    "get": "SELECT v FROM {t} WHERE k = ?",
    "has": "SELECT 1 FROM {t} WHERE k = ?",
    "put": "INSERT OR REPLACE INTO {t} (k, v) VALUES (?, ?)",
    "del": "DELETE FROM {t} WHERE k = ?",
    "all": "SELECT v FROM {t}",
    "make": "CREATE TABLE {t} (k TEXT PRIMARY KEY, v BLOB NOT NULL) WITHOUT ROWID",
}


class SpillStore:
    """The SQLite file behind a graph's maps, and the count of their hot entries."""

    def __init__(self, path: Path, limit: int) -> None:
        self.limit = limit
        self.maps: list[SpillMap[Any, Any]] = []
        self.db = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
        for pragma in ("journal_mode=OFF", "synchronous=OFF", "locking_mode=EXCLUSIVE",
                       "temp_store=MEMORY", f"cache_size=-{PAGE_CACHE_KIB}"):  # fmt: skip
            self.db.execute(f"PRAGMA {pragma}")

    def map(self, name: str) -> SpillMap[Any, Any]:
        """A new empty map of this store (its own table, ``name``: an identifier)."""
        if not name.isidentifier():
            raise ValueError(f"not a table name: {name!r}")
        made: SpillMap[Any, Any] = SpillMap(self, name)
        self._sql(made.sql["make"])
        self.maps.append(made)
        return made

    def settle(self) -> None:
        """Writes every hot entry out when there are more than the limit (call only where no
        caller holds an entry: one changed after this would be lost)."""
        if sum(len(m.hot) for m in self.maps) > self.limit:
            self.flush()

    def flush(self) -> None:
        """Writes every hot entry to the file and forgets it."""
        self._sql("BEGIN")
        for m in self.maps:
            m.write_out()
        self._sql("COMMIT")

    def close(self) -> None:
        """Closes the file (the caller removes it)."""
        self.db.close()

    def _sql(self, statement: str, *args: Any) -> sqlite3.Cursor:
        try:
            return self.db.execute(statement, *args)
        except sqlite3.OperationalError as exc:
            raise _full(exc) from exc


class SpillMap(Generic[K, V]):
    """The dict operations the graph uses, over the hot dict and the file.

    Keys are tuples of strings, numbers and None (their ``repr`` is the row's key: equal keys,
    equal text); values are pickled with their key. A value is never None.
    """

    def __init__(self, store: SpillStore, table: str) -> None:
        self.store, self.table = store, table
        self.hot: dict[K, V] = {}
        self.sql = {name: template.format(t=table) for name, template in SQL.items()}

    def get(self, key: K, default: V | None = None) -> V | None:
        """The value (now hot: a change to it is kept), or ``default``."""
        value = self.hot.get(key)
        if value is not None:
            return value
        row = self.store.db.execute(self.sql["get"], (repr(key),)).fetchone()
        if row is None:
            return default
        loaded: V = _loads(row[0])[1]
        self.hot[key] = loaded
        return loaded

    def __getitem__(self, key: K) -> V:
        value = self.get(key)
        if value is None:
            raise KeyError(key)
        return value

    def __setitem__(self, key: K, value: V) -> None:
        self.hot[key] = value

    def __contains__(self, key: object) -> bool:
        if key in self.hot:
            return True
        return self.store.db.execute(self.sql["has"], (repr(key),)).fetchone() is not None

    def setdefault(self, key: K, default: V) -> V:
        """``dict.setdefault``."""
        value = self.get(key)
        if value is None:
            value = self.hot[key] = default
        return value

    def pop(self, key: K, default: V | None = None) -> V | None:
        """Removes the key from memory and the file; its value or ``default``."""
        value = self.get(key, default)
        self.hot.pop(key, None)
        self.store._sql(self.sql["del"], (repr(key),))
        return value

    def items(self) -> Iterator[tuple[K, V]]:
        """Every entry, in no particular order: those in the file that are not hot, then the
        hot ones (none is written out for this: a graph that fits in memory is written from
        memory). Do not change the map while iterating."""
        for (blob,) in self.store.db.execute(self.sql["all"]):
            key, value = _loads(blob)
            if key not in self.hot:
                yield key, value
        yield from self.hot.items()

    def write_out(self) -> None:
        """Writes the hot entries to the file and forgets them (inside the store's flush)."""
        dumps, protocol = pickle.dumps, pickle.HIGHEST_PROTOCOL
        rows = ((repr(k), dumps((k, v), protocol)) for k, v in self.hot.items())
        try:
            self.store.db.executemany(self.sql["put"], rows)
        except sqlite3.OperationalError as exc:
            raise _full(exc) from exc
        self.hot.clear()


def _loads(blob: bytes) -> tuple[Any, Any]:
    """A (key, value) pickled by :meth:`SpillMap.write_out`: this process's own scratch file,
    in the import's own folder, is the only source of what is unpickled here."""
    pair: tuple[Any, Any] = pickle.loads(blob)  # noqa: S301 - written by this process only
    return pair


def _full(exc: sqlite3.OperationalError) -> Exception:
    """A full disk as the ``OSError`` the CLI reports; anything else as it is."""
    if getattr(exc, "sqlite_errorcode", None) == sqlite3.SQLITE_FULL:
        return OSError(errno.ENOSPC, f"no space left on the disk for the import's graph: {exc}")
    return exc
