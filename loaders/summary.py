"""The summary of one load, and the reject file it writes.

Invariant (checked by :meth:`Summary.check_accounting` at the end of every load): every row
read is accounted for exactly once, ``read == loaded + rejected + duplicates``, where
``loaded == created + updated + unchanged`` (a dry run loads nothing and counts the rows it
would load as ``loaded``).
"""

from __future__ import annotations

import csv
import errno
import json
import os
import stat
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import IO, Any

from graph_service.errors import CreditGraphError, InvalidInput, LoadRefused
from graph_service.spreadsheet import safe_cell

#: At most this many superseded rows are named in a summary; the count is always exact.
MAX_NAMED_SUPERSEDED = 100


class LoadAccountingError(CreditGraphError):
    """A load's counts do not add up: a bug in the loader, never the input's fault."""

    code = "load_accounting"


@dataclass
class Summary:
    """What one load did, as the CLI prints it and ``--json`` / the :Load node record it."""

    kind: str
    file: str
    load_id: str | None = None
    status: str = "started"  # started | done | failed | refused | dry_run | skipped
    read: int = 0
    loaded: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0  # exact duplicates + superseded rows
    exact_duplicates: int = 0  # same key, same values as an earlier row: skipped
    superseded_count: int = 0  # same key, other values: a later row won, this one is history
    superseded: list[dict[str, Any]] = field(default_factory=list)
    unknown_columns: list[str] = field(default_factory=list)
    referenced_created: int = 0  # parties and cases created from what rows said of them
    contradictions: int | None = None  # stored after the load (due process §7); None: not refreshed
    reject_file: str | None = None
    encoding: str | None = None
    dry_run: bool = False
    error: str | None = None
    seconds: float = 0.0
    rows_per_s: float = 0.0

    def add_superseded(self, line: int, by_line: int, key: str) -> None:
        """Counts a row that a later row with the same key replaced (named up to a limit)."""
        self.duplicates += 1
        self.superseded_count += 1
        if len(self.superseded) < MAX_NAMED_SUPERSEDED:
            self.superseded.append({"line": line, "by_line": by_line, "key": key})

    def add_outcomes(self, outcomes: dict[str, int]) -> None:
        """Adds one batch's created / updated / unchanged counts."""
        self.created += outcomes.get("created", 0)
        self.updated += outcomes.get("updated", 0)
        self.unchanged += outcomes.get("unchanged", 0)
        self.loaded = self.created + self.updated + self.unchanged

    def finish(self, seconds: float) -> None:
        """Stamps the elapsed time and throughput."""
        self.seconds = round(seconds, 3)
        self.rows_per_s = round(self.read / seconds, 1) if seconds > 0 else 0.0

    def check_accounting(self) -> None:
        """Raises :class:`LoadAccountingError` unless every row read is accounted for."""
        outcomes = self.created + self.updated + self.unchanged
        if self.read != self.loaded + self.rejected + self.duplicates or (
            not self.dry_run and self.loaded != outcomes
        ):
            raise LoadAccountingError(
                f"{self.file}: read {self.read} != loaded {self.loaded} + rejected"
                f" {self.rejected} + duplicates {self.duplicates}; please report this bug"
            )

    def as_json(self) -> dict[str, Any]:
        """The summary as one JSON object (the keys scripts rely on are always present)."""
        return asdict(self)

    def graph_props(self) -> dict[str, Any]:
        """The summary as flat properties of the :Load node (lists of maps as JSON text)."""
        flat = {k: v for k, v in self.as_json().items() if k != "superseded"}
        flat["superseded"] = json.dumps(self.superseded, ensure_ascii=False)
        return {k: v for k, v in flat.items() if v is not None}


class RejectWriter:
    """Writes rejected rows, unchanged, with line number and reason: a CSV ``line,reason,raw``.

    The file is created on the first reject only (a clean load leaves no empty files
    behind), unless ``always`` — when the operator named the file, it is always written.
    UTF-8 with a BOM, so that spreadsheet programs show the Chinese text correctly. Reject
    files are opened in spreadsheets, and ``raw`` is whatever the registry file held: a cell
    that a spreadsheet would run as a formula (``=…``, ``+…``, ``-…``, ``@…``) gets a leading
    ``'`` (:func:`graph_service.spreadsheet.safe_cell`); removing one leading ``'`` from a cell
    that has one gives the row back exactly.

    Reject files go to the current folder by default: a link planted there under a reject
    file's name would have the loader overwrite whatever it points to. So a link, FIFO or
    device in the reject file's place refuses the load before anything is read or written, and
    the file is opened without following a link (and checked again) when it is created.
    """

    def __init__(self, path: Path, *, always: bool = False) -> None:
        _refuse_special(path)
        self.path = path
        self.count = 0
        self._file: IO[str] | None = None
        self._writer: Any = None
        if always:
            self._open()

    def write(self, line: int, reason: str, raw: str) -> None:
        """Appends one rejected row."""
        if self._writer is None:
            self._open()
        self._writer.writerow([line, safe_cell(reason), safe_cell(raw)])
        self.count += 1

    @property
    def written(self) -> bool:
        """True when the reject file exists because of this load."""
        return self._file is not None

    def close(self) -> None:
        """Flushes and closes the file, if one was opened."""
        if self._file is not None:
            self._file.close()

    def discard(self) -> None:
        """Closes and deletes the file this writer made: the file was refused as a whole."""
        self.close()
        if self._file is not None:
            self.path.unlink(missing_ok=True)
            self._file = None

    def _open(self) -> None:
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._file = open(_regular_for_writing(self.path), "w", encoding="utf-8-sig", newline="")
        self._writer = csv.writer(self._file)
        self._writer.writerow(["line", "reason", "raw"])


def _refuse_special(path: Path) -> None:
    """Refuses the load when something other than a regular file holds the reject file's name."""
    try:
        mode = path.lstat().st_mode
    except FileNotFoundError:
        return
    if stat.S_ISLNK(mode) or not stat.S_ISREG(mode):
        kind = "a symbolic link" if stat.S_ISLNK(mode) else "not a regular file"
        raise LoadRefused(f"reject file {path} is {kind}: not written to; nothing was loaded")


def _regular_for_writing(path: Path) -> int:
    """A descriptor of ``path`` truncated for writing, never through a link or into a FIFO.

    :func:`_refuse_special` checked the place when the load started; one swapped in since is
    an error here (InvalidInput, not a refusal: batches may have been written by then).
    """
    flags = os.O_WRONLY | os.O_CREAT | os.O_NOFOLLOW | os.O_NONBLOCK
    try:
        fd = os.open(path, flags, 0o644)
    except OSError as exc:
        reason = "is a symbolic link" if exc.errno == errno.ELOOP else f"({exc.strerror})"
        raise InvalidInput(f"reject file {path} {reason}: not written to") from None
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise InvalidInput(f"reject file {path} is not a regular file: not written to")
    os.set_blocking(fd, True)
    os.ftruncate(fd, 0)  # only now: truncating a FIFO or device is not ours to do
    return fd
