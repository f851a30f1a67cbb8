"""Pass 1 of a load: read the whole file, validate every row, and decide its fate.

Nothing is written to the graph here. Valid rows are spooled to a private temporary file
(``marshal``, fast and compact), so that pass 2 (:mod:`loaders.write`) streams them again
without re-parsing and memory stays flat. What stays in memory is an index of one small
entry per distinct key (:class:`KeyIndex`: three machine words, not Python objects), which is
what lets pass 1 decide, before anything is written:

* exact duplicates (same key, same values as the row that currently wins): skipped, counted;
* superseded rows (same key, other values): the *last* row of the file wins, and the earlier
  ones go to the winner's history — so a rerun of the same file is a no-op, row for row;
* group checks over all rows of a group (stakes per company ≤ 100 %): a failing group's rows
  are all rejected.

Reading the whole file first also means that a file-level problem found late (a truncated
gzip, a change of encoding) refuses the file before any row of it reaches the graph.
"""

from __future__ import annotations

import hashlib
import marshal
import tempfile
from array import array
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import IO, Any

from loaders.mapping import Check, RegistryMapping
from loaders.read import RegistryFile
from loaders.summary import RejectWriter
from loaders.validate import Row, RowValidator

#: Spool flags: a row to load (if it wins its key), or an exact duplicate to skip.
KEEP, DUPLICATE = 0, 1
#: Progress is reported every this many rows while reading.
PROGRESS_EVERY = 5000
#: Rows per marshal chunk in the spool: one dump/load per chunk, not per row, is ~20x faster.
SPOOL_CHUNK = 1000

ProgressFn = Callable[[int, int], None]  # (bytes read, file size)


#: What :meth:`KeyIndex.put` answers for a row with the same content as its key's winner.
DUPLICATE_LINE = -1


class KeyIndex:
    """Key hash → (line, row hash) of the row winning the key: a compact hash table.

    A dict of ``(line, row hash)`` tuples costs ~250 bytes a key in Python objects (the 10M-row
    world's 3.6M contacts: ~1.1 GiB, and that memory stays with the process's arenas after the
    file). Here a key costs three 8-byte slots of :mod:`array` columns, at most half full
    (open addressing, linear probing), 48-96 bytes, freed as whole blocks. Keys are the
    ``hash()`` of the key's values, as before; a line is never 0 or negative (0 marks a free slot).

    >>> index = KeyIndex()
    >>> index.put(7, 2, 0xAB), index.put(7, 3, 0xAB), index.put(7, 4, 0xCD), index.put(-7, 5, 1)
    (0, -1, 2, 0)
    >>> index[7], index[-7], len(index), 8 in index
    (4, 5, 2, False)
    """

    __slots__ = ("_contents", "_keys", "_lines", "_mask", "_size")

    def __init__(self, capacity: int = 1 << 10) -> None:
        self._size = 0
        self._allocate(capacity)

    def _allocate(self, capacity: int) -> None:
        self._mask = capacity - 1
        self._keys = array("q", [0]) * capacity
        self._lines = array("q", [0]) * capacity
        self._contents = array("Q", [0]) * capacity

    def _slot(self, key: int) -> int:
        """The slot holding ``key``, or the free slot where it belongs."""
        mask, keys, lines = self._mask, self._keys, self._lines
        slot = key & mask
        while lines[slot] and keys[slot] != key:
            slot = (slot + 1) & mask
        return slot

    def put(self, key: int, line: int, content: int) -> int:
        """Makes ``line`` the key's winner unless its content is the winner's.

        Returns the line it replaced (0 when the key is new), or :data:`DUPLICATE_LINE` when
        the content is the current winner's (nothing changes).
        """
        # The probe of _slot, inlined: this runs once a row, ~10M times for a city.
        mask, keys, lines = self._mask, self._keys, self._lines
        slot = key & mask
        while (previous := lines[slot]) and keys[slot] != key:
            slot = (slot + 1) & mask
        if previous and self._contents[slot] == content:
            return DUPLICATE_LINE
        if not previous:
            if 2 * (self._size + 1) > len(lines):
                self._grow()
                slot = self._slot(key)
            self._keys[slot] = key
            self._size += 1
        self._lines[slot] = line
        self._contents[slot] = content
        return previous

    def _grow(self) -> None:
        keys, lines, contents = self._keys, self._lines, self._contents
        self._allocate(2 * len(lines))
        mask, new_keys, new_lines, new_contents = (
            self._mask,
            self._keys,
            self._lines,
            self._contents,
        )
        for old, line in enumerate(lines):
            if line:
                key = keys[old]
                slot = key & mask
                while new_lines[slot]:  # keys are distinct here: the first free slot is its
                    slot = (slot + 1) & mask
                new_keys[slot], new_lines[slot], new_contents[slot] = key, line, contents[old]

    def __getitem__(self, key: int) -> int:
        line = self._lines[self._slot(key)]
        if not line:
            raise KeyError(key)
        return line

    def __contains__(self, key: object) -> bool:
        return isinstance(key, int) and bool(self._lines[self._slot(key)])

    def __len__(self) -> int:
        return self._size


@dataclass
class Staged:
    """What pass 1 learnt about one file."""

    spool: IO[bytes]
    read: int = 0
    rejected: int = 0
    #: key hash → line of the row that wins the key (the file's last version of it).
    winners: KeyIndex = field(default_factory=KeyIndex)
    #: line → line of the next row with the same key and other values.
    superseded_by: dict[int, int] = field(default_factory=dict)
    #: group value → reason; every row of such a group is rejected.
    failed_groups: dict[Any, str] = field(default_factory=dict)
    group_field: str | None = None

    def entries(self) -> Iterator[tuple[int, str, int, int, str, Row]]:
        """The spooled rows in file order: (line, raw, flag, key hash, row hash, row)."""
        self.spool.seek(0)
        while size := int.from_bytes(self.spool.read(8), "little"):
            # Our own private temporary file, written just now by stage(): trusted.
            yield from marshal.loads(self.spool.read(size))  # noqa: S302

    def append(self, chunk: list[tuple[int, str, int, int, str, Row]]) -> None:
        """Spools a chunk of rows, length-prefixed (``marshal.load`` on a file is slow)."""
        data = marshal.dumps(chunk)
        self.spool.write(len(data).to_bytes(8, "little"))
        self.spool.write(data)

    def close(self) -> None:
        """Deletes the spool."""
        self.spool.close()


def row_hash(row: Row) -> str:
    """A stable content hash of a clean row (the graph keeps it as ``row_hash``).

    Rows come from :class:`~loaders.validate.RowValidator`, always in the mapping's field
    order, so the values alone (with a separator no value contains) identify the content.

    >>> row_hash({"a": "x", "b": 1.0}) == row_hash({"a": "x", "b": 1.0})
    True
    >>> row_hash({"a": "x", "b": None}) == row_hash({"a": "x", "b": ""})
    False
    """
    text = _SEP.join([_text(v) for v in row.values()])
    return hashlib.blake2b(text.encode("utf-8"), digest_size=8).hexdigest()


_SEP = "\x1f"  # ASCII unit separator: never inside a clean value


def _text(value: object) -> str:
    if value is None:
        return "\x00"
    return value if isinstance(value, str) else repr(value)


def stage(
    source: RegistryFile,
    mapping: RegistryMapping,
    rejects: RejectWriter,
    progress: ProgressFn | None = None,
) -> Staged:
    """Reads and validates every row of ``source``; rejects go to ``rejects`` at once."""
    validator = RowValidator(mapping)
    keys = mapping.key
    groups = _GroupSums(next((c for c in mapping.checks if c.rule == "sum_at_most"), None))
    staged = Staged(spool=tempfile.TemporaryFile(), group_field=groups.per)
    index = staged.winners  # key hash → (line, row hash) of the current winner
    chunk: list[tuple[int, str, int, int, str, Row]] = []
    for record in source.records():
        staged.read += 1
        if progress and staged.read % PROGRESS_EVERY == 0:
            progress(source.bytes_read(), source.size)
        row, problems = (None, [record.problem]) if record.problem else validator(record.values)
        if problems or row is None:
            rejects.write(record.line, "; ".join(p for p in problems if p), record.raw)
            staged.rejected += 1
            continue
        key_hash = hash(tuple([row[k] for k in keys]))
        content = row_hash(row)
        flag = _index(index, staged, key_hash, record.line, content)
        if flag == KEEP:
            groups.add(row, key_hash)
        chunk.append((record.line, record.raw, flag, key_hash, content, row))
        if len(chunk) >= SPOOL_CHUNK:
            staged.append(chunk)
            chunk = []
    if chunk:
        staged.append(chunk)
    staged.failed_groups = groups.failures()
    if progress:
        progress(source.size, source.size)
    return staged


def _index(index: KeyIndex, staged: Staged, key_hash: int, line: int, content: str) -> int:
    """Records a row in the key index; says whether it is an exact duplicate."""
    replaced = index.put(key_hash, line, int(content, 16))
    if replaced == DUPLICATE_LINE:
        return DUPLICATE
    if replaced:
        staged.superseded_by[replaced] = line
    return KEEP


class _GroupSums:
    """The ``sum_at_most`` check: the sum of one field over the rows of each group.

    Per group it keeps the value of each key's latest row, so a superseded row does not
    count twice.
    """

    def __init__(self, check: Check | None) -> None:
        self.check = check
        self.per: str | None = str(check.params["per"]) if check else None
        self._sums: dict[Any, dict[int, float]] = {}

    def add(self, row: Row, key_hash: int) -> None:
        if self.check is None or self.per is None:
            return
        value = row.get(self.check.fields[0])
        if isinstance(value, float):
            self._sums.setdefault(row[self.per], {})[key_hash] = value

    def failures(self) -> dict[Any, str]:
        if self.check is None:
            return {}
        limit = float(self.check.params["max"]) + float(self.check.params.get("tolerance", 0))
        name = self.check.fields[0]
        return {
            group: (
                f"{name} of {self.per} {group} add up to {sum(values.values()):g}"
                f" (more than {self.check.params['max']}): every row of it is rejected"
            )
            for group, values in self._sums.items()
            if sum(values.values()) > limit
        }
