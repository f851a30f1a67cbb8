"""Pass 1 of a load: read the whole file, validate every row, and decide its fate.

Nothing is written to the graph here. Valid rows are spooled to a private temporary file
(``marshal``, fast and compact), so that pass 2 (:mod:`loaders.write`) streams them again
without re-parsing and memory stays flat. What stays in memory is an index of one small
entry per distinct key, which is what lets pass 1 decide, before anything is written:

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


@dataclass
class Staged:
    """What pass 1 learnt about one file."""

    spool: IO[bytes]
    read: int = 0
    rejected: int = 0
    #: key hash → line of the row that wins the key (the file's last version of it).
    winners: dict[int, int] = field(default_factory=dict)
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
    index: dict[int, tuple[int, str]] = {}  # key hash → (line, row hash) of the current winner
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
    staged.winners = {k: line for k, (line, _) in index.items()}
    staged.failed_groups = groups.failures()
    if progress:
        progress(source.size, source.size)
    return staged


def _index(
    index: dict[int, tuple[int, str]], staged: Staged, key_hash: int, line: int, content: str
) -> int:
    """Records a row in the key index; says whether it is an exact duplicate."""
    current = index.get(key_hash)
    if current is not None and current[1] == content:
        return DUPLICATE
    if current is not None:
        staged.superseded_by[current[0]] = line
    index[key_hash] = (line, content)
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
