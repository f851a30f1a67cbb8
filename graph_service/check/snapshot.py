"""The decision snapshot: what today's checks read instead of Neo4j (docs/operations.md).

A host-local SQLite file holds, for one propagation run, every known party (id, name, kind),
its records of red-list kinds and its stored measures with their explanations, the party's
answer precomputed for one day (its *fragment*, :mod:`.fragments`, made from the same row in
the same transaction), the open objections, the catalog version and the run id. Every worker
process of the host reads it (the OS page cache and ``mmap`` share the pages, so memory does
not grow with the workers); one of them writes it (:mod:`graph_service.check.snapshot_build`).

Why SQLite (stdlib, no new dependency) rather than LMDB: a newer run is applied to the file
in place as *one write transaction* in WAL mode, and a reader's check is *one read
transaction*, so WAL's snapshot isolation is what guarantees that an answer never mixes two
runs; LMDB would give the same, but needs a binary wheel and its own size management.

Invariants:

* A *generation* is one file, ``gen-<stamp>.sqlite``; ``CURRENT`` names the one in use and is
  replaced atomically (``os.replace``) only once a new generation is complete and synced, so
  a reader opens a whole generation or the previous one, never a half-built file.
* A generation's ``meta`` (run id, catalog version, confirmed time) and its rows change
  together in one transaction; :meth:`SnapshotReader.read` reads both in one transaction.
* Measures and red-list records are stored unfiltered by date; the reader applies the check's
  ``as_of`` as ``cypher/check/parties.cypher`` does, so a snapshot stays right past midnight.
* Only the builder (the process holding ``builder.lock``) writes; readers never do.
"""

from __future__ import annotations

import json
import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from functools import partial
from pathlib import Path
from typing import Any, Final, NamedTuple, TypeVar

from graph_service.check import fragments
from graph_service.check.fragments import Fragment
from graph_service.errors import SnapshotUnavailable
from graph_service.policy.catalog import Catalog

log = logging.getLogger(__name__)
T = TypeVar("T")

#: Version of the file's layout; a file of another layout is rebuilt, not read (2: fragments;
#: 3: each fragment's CRC, checked before its texts are joined).
FORMAT: Final = "3"
#: The file naming the generation in use.
CURRENT: Final = "CURRENT"
#: Bytes of a generation the reader maps into memory (shared by every process of the host).
MMAP_BYTES: Final = 1 << 30

_SCHEMA: Final = (
    "CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT) WITHOUT ROWID",
    "CREATE TABLE parties (party_id TEXT PRIMARY KEY, name TEXT, kind TEXT,"
    " red_records TEXT NOT NULL, measures TEXT NOT NULL, f_made_on TEXT, f_kind TEXT,"
    " f_name TEXT, f_masked_name TEXT, f_red INTEGER, f_measures TEXT, f_crc INTEGER)"
    " WITHOUT ROWID",
    "CREATE TABLE open_objections (record_ref TEXT PRIMARY KEY, objection_id TEXT NOT NULL)"
    " WITHOUT ROWID",
)


@dataclass(frozen=True)
class Meta:
    """What a generation says about itself."""

    run_id: str | None  # the propagation run whose measures it holds; None before any run
    run_finished_at: str | None
    catalog_version: str
    confirmed_at: str  # when the builder last found the run still the newest (UTC, ISO)
    parties: int  # parties in the graph when it was built or brought up to date
    #: The day the run was for (ISO): today's checks take the measures only on that day.
    #: None: not known (a generation written before it was kept, or from an export).
    run_as_of: str | None = None


@dataclass(frozen=True)
class Snapshot:
    """One read: the meta and the rows of the parties asked, from one transaction."""

    meta: Meta
    rows: dict[str, dict[str, Any]]  # party_id -> {name, kind, red_records, measures}
    open_by_record: dict[str, str]  # record_ref -> objection_id, of the parties' measures


class StoredRow(NamedTuple):
    """A party's whole row as stored (the table's columns, in order): its red-list records and
    measures as JSON text, and its fragment's columns (None when it has none); every text but
    the id as its UTF-8 bytes, undecoded (:data:`_STORED_COLUMNS`)."""

    party_id: str
    name: bytes | None
    kind: bytes | None
    red_records: bytes
    measures: bytes
    f_made_on: bytes | None
    f_kind: bytes | None
    f_name: bytes | None
    f_masked_name: bytes | None
    f_red: int | None
    f_measures: bytes | None
    f_crc: int | None

    def parsed(self) -> dict[str, Any]:
        """The row as :meth:`SnapshotReader.read` gives it (what deciding from it takes)."""
        name, kind = (None if t is None else t.decode("utf-8") for t in (self.name, self.kind))
        return _parsed((self.party_id, name, kind, self.red_records, self.measures))


@dataclass(frozen=True)
class StoredRead:
    """One :meth:`SnapshotReader.read_stored`: the meta, the parties' fragments (None for a
    party held without one; a party not held is not a key), the open objections against their
    measures' records, and ``whole``, a party's whole row from the same read transaction (for
    the few a check decides from their rows; usable only inside the transaction, while
    :meth:`SnapshotReader.read_stored` runs its ``use``)."""

    meta: Meta
    fragments: dict[str, Fragment | None]
    open_by_record: dict[str, str]
    whole: Callable[[str], StoredRow]


def now_iso() -> str:
    """The current UTC time as the snapshot writes it."""
    return datetime.now(UTC).isoformat(timespec="milliseconds")


# --- writing (the builder) ------------------------------------------------------------------
def new_generation(folder: Path) -> Path:
    """The path of a fresh generation file in ``folder`` (created if needed)."""
    folder.mkdir(parents=True, exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%S")
    return folder / f"gen-{stamp}-{uuid.uuid4().hex[:8]}.sqlite"


def create(path: Path) -> sqlite3.Connection:
    """A new, empty generation, opened for a bulk write (no journal until it is published)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False)
    conn.execute("PRAGMA journal_mode=OFF")
    conn.execute("PRAGMA synchronous=OFF")
    for statement in _SCHEMA:
        conn.execute(statement)
    conn.execute("INSERT INTO meta VALUES ('format', ?)", (FORMAT,))
    return conn


def open_for_update(path: Path) -> sqlite3.Connection:
    """A published generation, opened by the builder for in-place updates (WAL)."""
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
    conn.execute("PRAGMA journal_mode=WAL")
    # Derived data, rebuilt when lost: a commit need not survive a power cut, only be atomic.
    conn.execute("PRAGMA synchronous=NORMAL")
    return conn


def write_parties(
    conn: sqlite3.Connection,
    parties: Iterable[Mapping[str, Any]],
    catalog: Catalog | None = None,
    day: date | None = None,
) -> int:
    """Inserts or replaces the rows of ``parties`` (rows of check/snapshot_page), each with
    its fragment for ``day`` under ``catalog`` (none without them: such parties are decided
    from their rows until :func:`refresh_fragments` makes theirs)."""
    rows = [_party_row(p, catalog, day) for p in parties]
    conn.executemany(_INSERT_PARTY, rows)
    return len(rows)


def refresh_fragments(
    conn: sqlite3.Connection, catalog: Catalog, day: date, after: str, limit: int
) -> str | None:
    """Remakes, in one transaction, the fragments not made for ``day`` by this code (after
    midnight, after a deploy, or never made: :func:`fragments.stamp`) of up to ``limit``
    parties after the id ``after``; the last id looked at, or None once none is left (then
    the meta's ``fragments_on`` is that stamp). Each is made from its own row in the
    transaction that reads it, so it never holds another run than it."""
    stamped = fragments.stamp(day)
    conn.execute("BEGIN IMMEDIATE")
    try:
        page = conn.execute(
            "SELECT party_id, name, kind, red_records, measures, f_made_on FROM parties"
            " WHERE party_id > ? ORDER BY party_id LIMIT ?",
            (after, limit),
        ).fetchall()
        stale = [row[:5] for row in page if row[5] != stamped]
        conn.executemany(_INSERT_PARTY, [_remade(row, catalog, day) for row in stale])
        if not page:
            conn.execute("INSERT OR REPLACE INTO meta VALUES ('fragments_on', ?)", (stamped,))
        conn.execute("COMMIT")
    except BaseException:
        conn.execute("ROLLBACK")
        raise
    return str(page[-1][0]) if page else None


def fragments_on(conn: sqlite3.Connection) -> str | None:
    """The stamp (:func:`fragments.stamp`: day and code) every fragment was last found made
    with (None before that was ever so)."""
    row = conn.execute("SELECT value FROM meta WHERE key = 'fragments_on'").fetchone()
    return str(row[0]) if row else None


def delete_parties(conn: sqlite3.Connection, party_ids: Sequence[str]) -> None:
    """Removes parties no longer in the graph."""
    conn.executemany("DELETE FROM parties WHERE party_id = ?", [(p,) for p in party_ids])


def replace_objections(conn: sqlite3.Connection, open_by_record: Mapping[str, str]) -> None:
    """Makes the open-objections table exactly ``open_by_record``."""
    conn.execute("DELETE FROM open_objections")
    conn.executemany("INSERT INTO open_objections VALUES (?, ?)", list(open_by_record.items()))


def write_meta(conn: sqlite3.Connection, meta: Meta) -> None:
    """Sets the generation's meta (inside the caller's transaction, with its rows)."""
    values = {
        "run_id": meta.run_id,
        "run_finished_at": meta.run_finished_at,
        "catalog_version": meta.catalog_version,
        "confirmed_at": meta.confirmed_at,
        "parties": str(meta.parties),
        "run_as_of": meta.run_as_of,
    }
    conn.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", list(values.items()))


def publish(folder: Path, path: Path, conn: sqlite3.Connection) -> None:
    """Makes the fully written generation ``path`` the current one, atomically."""
    conn.execute("PRAGMA journal_mode=WAL")
    conn.close()
    _fsync(path)
    pointer = folder / f"{CURRENT}.{uuid.uuid4().hex[:8]}.tmp"
    pointer.write_text(path.name, encoding="utf-8")
    _fsync(pointer)
    os.replace(pointer, folder / CURRENT)
    _fsync(folder)


def current_path(folder: Path) -> Path | None:
    """The generation ``CURRENT`` names, or None when there is none (or it is missing)."""
    try:
        name = (folder / CURRENT).read_text(encoding="utf-8").strip()
    except FileNotFoundError:
        return None
    path = folder / name
    return path if name.startswith("gen-") and path.is_file() else None


def remove_old(folder: Path, keep: Path) -> None:
    """Deletes generations other than ``keep`` and the one before it (readers that have not
    reopened yet may still read that one)."""
    generations = sorted(folder.glob("gen-*.sqlite"), key=lambda p: p.stat().st_mtime)
    for path in [p for p in generations if p != keep][:-1]:
        for suffix in ("", "-wal", "-shm"):
            Path(f"{path}{suffix}").unlink(missing_ok=True)


_INSERT_PARTY: Final = "INSERT OR REPLACE INTO parties VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
#: A row's fragment columns when it has none.
_NO_FRAGMENT: Final = (None,) * len(Fragment._fields)


def _party_row(
    party: Mapping[str, Any], catalog: Catalog | None, day: date | None
) -> tuple[Any, ...]:
    red = json.dumps(party["red_records"], ensure_ascii=False, separators=(",", ":"))
    measures = json.dumps(party["measures"], ensure_ascii=False, separators=(",", ":"))
    made = _fragment(party, catalog, day) if catalog and day else None
    # Written as text (the column type readers and tests of the file have always seen).
    columns = [t.decode("utf-8") if isinstance(t, bytes) else t for t in made or _NO_FRAGMENT]
    return (party["party_id"], party["name"], party["kind"], red, measures, *columns)


def _fragment(party: Mapping[str, Any], catalog: Catalog, day: date) -> fragments.Fragment | None:
    """The party's fragment for ``day``; None, with a warning naming the party, when its
    stored measures cannot be made into one (its checks are then decided from its row, and
    fail for it alone if that cannot be read either — never the whole snapshot's build)."""
    try:
        return fragments.make(party, catalog, day)
    except fragments.FragmentUnusable as exc:
        log.warning(
            "no precomputed answer for a party of the decision snapshot",
            extra={"party": party.get("party_id"), "error": str(exc)},
        )
        return None


def _remade(row: Sequence[Any], catalog: Catalog, day: date) -> tuple[Any, ...]:
    """A stored row with its fragment made for ``day``; a row that cannot be read keeps its
    texts and gets no fragment (checks of it fail as they did)."""
    try:
        return _party_row(_parsed(row), catalog, day)
    except ValueError:
        log.warning("a row of the decision snapshot cannot be read", extra={"party": row[0]})
        return (*row, *_NO_FRAGMENT)


def _parsed(row: Sequence[Any]) -> dict[str, Any]:
    party_id, name, kind, red, measures = row
    return {"party_id": party_id, "name": name, "kind": kind,
            "red_records": _json_list(red), "measures": _json_list(measures)}  # fmt: skip


def _fsync(path: Path) -> None:
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


# --- reading (every worker) -----------------------------------------------------------------
def read_meta(conn: sqlite3.Connection) -> Meta:
    """The meta of an open generation; SnapshotUnavailable if it is not a whole snapshot."""
    try:
        values = dict(conn.execute("SELECT key, value FROM meta").fetchall())
    except sqlite3.DatabaseError as exc:
        raise SnapshotUnavailable(f"the decision snapshot cannot be read ({exc})") from exc
    if values.get("format") != FORMAT or "confirmed_at" not in values:
        raise SnapshotUnavailable("the decision snapshot is incomplete or of another format")
    return Meta(
        values.get("run_id"),
        values.get("run_finished_at"),
        str(values["catalog_version"]),
        str(values["confirmed_at"]),
        int(values.get("parties") or 0),
        values.get("run_as_of"),
    )


def check_file(path: Path) -> Meta:
    """The meta of the generation at ``path`` after SQLite's own integrity check of it;
    SnapshotUnavailable naming what is wrong when it is corrupt or incomplete."""
    try:
        conn = sqlite3.connect(f"file:{path}?mode=ro", uri=True, isolation_level=None)
    except sqlite3.Error as exc:
        raise SnapshotUnavailable(f"the decision snapshot cannot be opened ({exc})") from exc
    try:
        (verdict,) = conn.execute("PRAGMA quick_check").fetchone()
        if verdict != "ok":
            raise SnapshotUnavailable(f"the decision snapshot is corrupt ({verdict})")
        return read_meta(conn)
    except sqlite3.DatabaseError as exc:
        raise SnapshotUnavailable(f"the decision snapshot is corrupt ({exc})") from exc
    finally:
        conn.close()


class SnapshotReader:
    """Reads the current generation; one SQLite connection per thread (sqlite3 connections
    are not shared between threads), reopened when ``CURRENT`` names another generation."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        self._path: Path | None = None
        self._local = threading.local()
        self._lock = threading.Lock()

    def reopen(self) -> Path | None:
        """Follows ``CURRENT`` (cheap: one small file read); the generation now in use."""
        path = current_path(self.folder)
        with self._lock:
            self._path = path
        return path

    @property
    def path(self) -> Path | None:
        """The generation in use, None before one exists."""
        return self._path

    def meta(self) -> Meta:
        """The current generation's meta; SnapshotUnavailable when there is none."""
        conn = self._connection()
        return read_meta(conn)

    def read(self, party_ids: Sequence[str]) -> Snapshot:
        """The rows of ``party_ids`` (those known) and the meta, in one read transaction."""

        def read(conn: sqlite3.Connection) -> Snapshot:
            rows = _rows(conn, party_ids)
            return Snapshot(read_meta(conn), rows, _objections(conn, rows.values()))

        return self._in_transaction(read)

    def read_stored(self, party_ids: Sequence[str], use: Callable[[StoredRead], T]) -> T:
        """``use`` of the fragments of ``party_ids`` (those known), the meta and the open
        objections against their measures' records, run inside the one read transaction that
        reads them: a party ``use`` decides from its whole row (``StoredRead.whole``) is read
        from the same state of the generation as the rest.

        Only the fragments' columns are read for every party: the red-list records and the
        measures as JSON (most of a row's bytes) were copied out of every row read and used
        for none that is joined (docs/benchmarks.md, issue 14, session 15).
        """

        def read(conn: sqlite3.Connection) -> T:
            found = _fragments(conn, party_ids)
            open_by_record = _open_against(conn, found)
            return use(StoredRead(read_meta(conn), found, open_by_record, partial(_whole, conn)))

        return self._in_transaction(read)

    def _in_transaction(self, read: Callable[[sqlite3.Connection], T]) -> T:
        """``read`` in one read transaction: its meta, rows and objections of one generation
        state; a file that cannot be read is SnapshotUnavailable."""
        conn = self._connection()
        conn.execute("BEGIN")
        try:
            return read(conn)
        except sqlite3.DatabaseError as exc:
            raise SnapshotUnavailable(f"the decision snapshot cannot be read ({exc})") from exc
        finally:
            conn.execute("COMMIT")

    def _connection(self) -> sqlite3.Connection:
        path = self._path
        if path is None:
            raise SnapshotUnavailable("the decision snapshot is not built yet; retry shortly")
        held: tuple[Path, sqlite3.Connection] | None = getattr(self._local, "conn", None)
        if held is not None and held[0] == path:
            return held[1]
        if held is not None:
            held[1].close()
        conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=10)
        conn.execute("PRAGMA query_only=1")
        conn.execute(f"PRAGMA mmap_size={MMAP_BYTES}")
        self._local.conn = (path, conn)
        return conn


def _rows(conn: sqlite3.Connection, party_ids: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored rows of ``party_ids``, parsed (:func:`_parsed`)."""
    columns = "party_id, name, kind, red_records, measures"
    return {row[0]: _parsed(row) for row in _selected(conn, columns, party_ids)}


def _fragments(conn: sqlite3.Connection, party_ids: Sequence[str]) -> dict[str, Fragment | None]:
    """The fragments of the parties of ``party_ids`` the snapshot holds (None: it has none),
    their texts undecoded; made straight from SQLite's rows (a 1,000-party check reads a
    thousand)."""
    made = Fragment._make
    return {
        row[7]: None if row[0] is None else made(row[:7])
        for row in _selected(conn, _FRAGMENT_COLUMNS, party_ids)
    }


def _whole(conn: sqlite3.Connection, party_id: str) -> StoredRow:
    """The whole stored row of ``party_id`` (read in the caller's transaction, which found
    it), texts unparsed and undecoded."""
    query = f"SELECT {_STORED_COLUMNS} FROM parties WHERE party_id = ?"  # noqa: S608 - our columns
    row = conn.execute(query, (party_id,)).fetchone()
    if row is None:
        raise SnapshotUnavailable(f"the decision snapshot lost the row of {party_id} mid-read")
    return StoredRow._make(row)


#: A fragment's columns of ``parties`` in :class:`Fragment`'s order, then the id; the texts as
#: their UTF-8 bytes (SQLite's CAST to BLOB copies a text's bytes; decoding them cost every
#: row read, used or not).
_FRAGMENT_COLUMNS: Final = (
    "CAST(f_made_on AS BLOB), CAST(f_kind AS BLOB), CAST(f_name AS BLOB),"
    " CAST(f_masked_name AS BLOB), f_red, CAST(f_measures AS BLOB), f_crc, party_id"
)
#: Every column of ``parties`` in order, the texts as :data:`_FRAGMENT_COLUMNS` reads them.
_STORED_COLUMNS: Final = (
    "party_id, CAST(name AS BLOB), CAST(kind AS BLOB), CAST(red_records AS BLOB),"
    " CAST(measures AS BLOB), " + _FRAGMENT_COLUMNS.removesuffix(", party_id")
)


def _selected(
    conn: sqlite3.Connection, columns: str, party_ids: Sequence[str]
) -> Iterator[tuple[Any, ...]]:
    """``columns`` of the rows of ``party_ids``, in chunks under SQLite's parameter limit."""
    unique = sorted(set(party_ids))
    for start in range(0, len(unique), 500):
        chunk = unique[start : start + 500]
        marks = ",".join("?" * len(chunk))
        query = f"SELECT {columns} FROM parties WHERE party_id IN ({marks})"  # noqa: S608 - our columns, placeholders
        yield from conn.execute(query, chunk)


def _open_against(conn: sqlite3.Connection, party_ids: Iterable[str]) -> dict[str, str]:
    """The open objections against the records of the measures of ``party_ids``: none to look
    for (and no measure read or parsed) while no objection is open, as is usual."""
    if conn.execute("SELECT 1 FROM open_objections LIMIT 1").fetchone() is None:
        return {}
    measures = _selected(conn, "measures", list(party_ids))
    return _objections(conn, [{"measures": _json_list(text)} for (text,) in measures])


def _json_list(text: str | bytes) -> list[Any]:
    """A stored JSON list (text, or its UTF-8); most parties have no measure and no red-list
    record, and their ``[]`` costs no parse (two per party were a tenth of a 1,000-party
    check's CPU).

    >>> _json_list("[]"), _json_list(b"[]"), _json_list('[{"a":1}]'), _json_list('["张"]'.encode())
    ([], [], [{'a': 1}], ['张'])
    """
    return [] if text == "[]" or text == b"[]" else list(json.loads(text))


def _objections(conn: sqlite3.Connection, rows: Iterable[Mapping[str, Any]]) -> dict[str, str]:
    """The open objections against the records behind the measures of ``rows``."""
    refs = sorted({m["record_ref"] for r in rows for m in r["measures"] if m.get("record_ref")})
    found: dict[str, str] = {}
    for start in range(0, len(refs), 500):
        chunk = refs[start : start + 500]
        marks = ",".join("?" * len(chunk))
        query = (
            f"SELECT record_ref, objection_id FROM open_objections WHERE record_ref IN ({marks})"  # noqa: S608 - placeholders only
        )
        found.update(conn.execute(query, chunk).fetchall())
    return found
