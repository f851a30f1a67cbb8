"""Streaming reader of registry files: CSV or JSON Lines, plain or gzip, UTF-8 or GB18030.

It yields one :class:`SourceRecord` per data row — its first line number, its raw text as it
stands in the file, and its values by English field name — and never holds more than one
record, so memory stays flat however large the file.

Invariants:

* A problem with the *file* (not a regular file, empty, undecodable or of an encoding that
  cannot be told, missing required column, truncated gzip) raises :class:`LoadRefused` naming
  the file; the engine reads the whole file before it writes anything, so a refused file
  leaves the graph untouched.
* A refusal never quotes the file's content: a file handed in by mistake (or by an attacker,
  through a symbolic link to ``/etc/passwd``) is not shown to whoever reads the message.
  Symbolic links, FIFOs, devices and directories are refused before they are opened; the
  open itself does not follow links and checks again what it opened.
* A problem with one *row* (wrong number of fields, invalid JSON, a NUL or other control
  character anywhere in it) is reported on the record (``problem``), so that the row is
  rejected and every other row still loads.
* Line numbers are physical lines of the file (the CSV header is line 1); a CSV record with
  quoted newlines has the number of its first line.
"""

from __future__ import annotations

import codecs
import csv
import errno
import gzip
import io
import json
import os
import stat
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from graph_service.errors import LoadRefused
from loaders.encoding import (
    SAMPLE_BYTES,
    UTF8,
    bom_encoding,
    choose,
    encoding_option,
    refuse_utf16_or_binary,
    sample_of,
)
from loaders.mapping import RegistryMapping, header_key
from loaders.validate import control_character, control_problem, shown

_GZIP_ERRORS = (EOFError, gzip.BadGzipFile, zlib.error)
# A CSV field may be long (quoted descriptions), but one runaway quote must not swallow a
# whole file into memory: past this a record is reported as broken instead.
csv.field_size_limit(1 << 20)


@dataclass(frozen=True)
class SourceRecord:
    """One data row of a registry file."""

    line: int
    raw: str
    values: dict[str, str]
    problem: str | None = None


@dataclass
class RegistryFile:
    """One registry file: its format, encoding and header, and a stream of its records."""

    path: Path
    mapping: RegistryMapping
    #: The operator's ``--encoding`` (utf-8, gb18030 or an alias); None: detected.
    forced_encoding: str | None = None
    format: str = field(init=False)
    compressed: bool = field(init=False)
    encoding: str = field(init=False)
    unknown_columns: list[str] = field(default_factory=list, init=False)
    rows_read: int = field(default=0, init=False)
    size: int = field(default=0, init=False)
    _raw: BinaryIO | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        forced = encoding_option(self.forced_encoding) if self.forced_encoding else None
        name = self.path.name.lower()
        self.compressed = name.endswith(".gz")
        plain = name.removesuffix(".gz")
        if plain.endswith(".csv"):
            self.format = "csv"
        elif plain.endswith(".jsonl"):
            self.format = "jsonl"
        else:
            raise LoadRefused(
                f"{self.path.name}: unknown file type; expected .csv, .jsonl, .csv.gz or .jsonl.gz"
            )
        self.size = _regular_file(self.path).st_size
        self.encoding = self._detect_encoding(forced)

    @property
    def name(self) -> str:
        """The file's name, as provenance and messages quote it."""
        return self.path.name

    def bytes_read(self) -> int:
        """How far into the file (compressed bytes) reading has come, for progress bars."""
        return self._raw.tell() if self._raw and not self._raw.closed else 0

    def records(self) -> Iterator[SourceRecord]:
        """Streams the data rows. File-level problems raise :class:`LoadRefused`."""
        self.rows_read = 0
        with self._open() as binary:
            text = io.TextIOWrapper(binary, encoding=self.encoding, newline="")
            rows = self._csv(text) if self.format == "csv" else self._jsonl(text)
            yield from self._guarded(rows)

    # --- opening and encodings --------------------------------------------------------------
    def _open(self) -> BinaryIO:
        self._raw = _open_regular(self.path)
        if self.compressed:
            return gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[return-value]
        return self._raw

    def _detect_encoding(self, forced: str | None) -> str:
        """The operator's encoding, the BOM's, or the one a sample of the file shows.

        A file can be ASCII for megabytes before its first Chinese name; deciding on a fixed
        prefix would guess UTF-8 for a GBK export like that, so the sample starts at the first
        chunk that is not ASCII (fast: ``bytes.isascii`` runs in C) and runs for up to
        :data:`DETECT_BYTES` (:mod:`loaders.encoding` says how it is judged).
        """
        with self._open() as binary:
            head, broken = _read_some(binary, SAMPLE_BYTES)
            if broken and not head:
                raise LoadRefused(
                    f"{self.name}: not valid gzip data ({broken}); nothing was loaded"
                )
            if not head.strip(b" \t\r\n" + codecs.BOM_UTF8):
                raise LoadRefused(f"{self.name} is empty: there is no header and no data")
            refuse_utf16_or_binary(head, self.name)
            if forced:
                return forced
            found = bom_encoding(head)
            if found:
                return found
            sample = sample_of(head, broken, self.format, lambda: _read_some(binary, SAMPLE_BYTES))
        return UTF8 if sample is None else choose(sample, self.mapping, self.name)

    # --- records ----------------------------------------------------------------------------
    def _guarded(self, rows: Iterator[SourceRecord]) -> Iterator[SourceRecord]:
        """Turns decoding and decompression errors into one clear refusal."""
        try:
            for record in rows:
                self.rows_read += 1
                yield record
        except UnicodeDecodeError as exc:
            raise LoadRefused(
                f"{self.name}: bytes after data row {self.rows_read} are not valid"
                f" {self.encoding} although the file started so ({exc.reason}); is it a mix of"
                " encodings? Nothing was loaded",
                self.rows_read,
            ) from exc
        except _GZIP_ERRORS as exc:
            raise LoadRefused(
                f"{self.name}: the gzip data ends early or is corrupt after {self.rows_read}"
                f" data rows ({_gzip_problem(exc)}); the file looks truncated. Nothing was"
                " loaded",
                self.rows_read,
            ) from exc

    def _csv(self, text: IO[str]) -> Iterator[SourceRecord]:
        tap = _LineTap(text)
        reader = csv.reader(tap)
        header = next((cells for cells in _safe(reader) if cells), None)
        if header is None:
            raise LoadRefused(f"{self.name} is empty: there is no header row")
        tap.taken.clear()
        columns = self._columns([cell.lstrip("\ufeff") for cell in header])
        field_at = dict(columns)
        for cells in _safe(reader):
            line, raw = tap.record()
            if not cells:
                continue  # a blank line is not a row
            if isinstance(cells, csv.Error):
                yield SourceRecord(line, raw, {}, f"is not valid CSV ({cells})")
            elif control_character(raw):
                yield SourceRecord(line, raw, {}, _control_in_cells(cells, field_at))
            elif len(cells) != len(header):
                problem = f"has {len(cells)} fields, the header has {len(header)}"
                yield SourceRecord(line, raw, {}, problem)
            else:
                yield SourceRecord(line, raw, {f: cells[i] for i, f in columns})

    def _columns(self, header: list[str]) -> list[tuple[int, str]]:
        """Maps header cells to fields; refuses a file without a required column."""
        names = self.mapping.header_names()
        columns: list[tuple[int, str]] = []
        for index, cell in enumerate(header):
            if char := control_character(cell):
                raise LoadRefused(
                    f"{self.name}: {control_problem(f'the header (column {index + 1})', char)};"
                    " is it a registry file at all? Nothing was loaded"
                )
            name = names.get(header_key(cell))
            if name is None:
                self.unknown_columns.append(cell)
            elif name in (f for _, f in columns):
                raise LoadRefused(f"{self.name}: two columns mean {name}; keep one")
            else:
                columns.append((index, name))
        found = {f for _, f in columns}
        missing = [f for f in self.mapping.required if f not in found]
        if missing:
            # The header is not quoted: a file handed in by mistake may hold anything.
            known = ", ".join(f for _, f in columns) or "none"
            raise LoadRefused(
                f"{self.name}: required column {_describe(self.mapping, missing)} missing"
                f" (the header has {len(header)} columns; recognised: {known}); nothing was"
                " loaded"
            )
        return columns

    def _jsonl(self, text: Iterable[str]) -> Iterator[SourceRecord]:
        names = _KeyNames(self.mapping.header_names())
        unknown: dict[str, None] = {}
        any_rows = False
        for line_no, line in enumerate(text, start=1):
            raw = line.rstrip("\r\n").lstrip("\ufeff") if line_no == 1 else line.rstrip("\r\n")
            if not raw.strip():
                continue
            any_rows = True
            yield _json_record(line_no, raw, names, unknown)
        self.unknown_columns.extend(unknown)
        if not any_rows:
            raise LoadRefused(f"{self.name} is empty: there are no records")


class _LineTap:
    """Feeds lines to ``csv.reader`` and keeps them, so each record's raw text is known."""

    def __init__(self, lines: Iterable[str]) -> None:
        self._lines = iter(lines)
        self.taken: list[str] = []
        self.line_no = 0

    def __iter__(self) -> _LineTap:
        return self

    def __next__(self) -> str:
        line = next(self._lines)
        self.taken.append(line)
        self.line_no += 1
        return line

    def record(self) -> tuple[int, str]:
        """The first line number and raw text of the record just read; then forgets it."""
        first = self.line_no - len(self.taken) + 1
        raw = "".join(self.taken).rstrip("\r\n")
        self.taken.clear()
        return first, raw


def _safe(reader: Iterator[list[str]]) -> Iterator[Any]:
    """The reader's rows, with a malformed record yielded as its ``csv.Error``."""
    while True:
        try:
            yield next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            yield exc


class _KeyNames(dict[str, str | None]):
    """JSON key as written → field name (None: unknown), normalised once per distinct key."""

    def __init__(self, names: dict[str, str]) -> None:
        super().__init__()
        self._names = names

    def __missing__(self, key: str) -> str | None:
        name = self[key] = self._names.get(header_key(key))
        return name


def _json_record(
    line_no: int, raw: str, names: _KeyNames, unknown: dict[str, None]
) -> SourceRecord:
    if char := control_character(raw):
        return SourceRecord(line_no, raw, {}, control_problem("the line", char))
    try:
        obj = json.loads(raw)
    except ValueError as exc:
        return SourceRecord(line_no, raw, {}, f"is not valid JSON ({exc})")
    if not isinstance(obj, dict):
        return SourceRecord(line_no, raw, {}, "is not a JSON object")
    values: dict[str, str] = {}
    for key, value in obj.items():
        if char := control_character(key + (value if isinstance(value, str) else "")):
            # JSON escapes (\u0000) put control characters in keys and values, not in the line.
            where = "a key" if control_character(key) else f"field {shown(key)}"
            return SourceRecord(line_no, raw, {}, control_problem(where, char))
        name = names[key]
        if name is None:
            unknown.setdefault(key)
        elif isinstance(value, dict | list):
            return SourceRecord(line_no, raw, {}, f"field {shown(key)} holds a list or object")
        else:
            values[name] = _json_text(value)
    return SourceRecord(line_no, raw, values)


def _json_text(value: object) -> str:
    """A JSON scalar as the text a CSV would hold (null → empty)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _control_in_cells(cells: list[str], field_at: dict[int, str]) -> str:
    """The reason for a CSV row holding a control character, naming its field."""
    for index, cell in enumerate(cells):
        if char := control_character(cell):
            return control_problem(field_at.get(index, f"column {index + 1}"), char)
    return control_problem("the row", control_character("".join(cells)) or "\x00")


# --- files ----------------------------------------------------------------------------------

_FILE_KINDS = {
    stat.S_IFDIR: "a directory", stat.S_IFIFO: "a FIFO", stat.S_IFCHR: "a character device",
    stat.S_IFBLK: "a block device", stat.S_IFSOCK: "a socket",
}  # fmt: skip


def _regular_file(path: Path) -> os.stat_result:
    """The file's own status (links not followed); refuses anything but a regular file."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        raise LoadRefused(f"{path}: no such file") from None
    except OSError as exc:
        raise LoadRefused(f"{path}: cannot be read ({exc.strerror})") from None
    _require_regular(path, info)
    return info


def _open_regular(path: Path) -> BinaryIO:
    """Opens ``path`` for reading without following a link or waiting on a FIFO.

    The status was checked before, but the path may have been swapped since: what is opened
    is checked again (O_NOFOLLOW refuses a link, O_NONBLOCK keeps a FIFO from blocking).
    """
    try:
        fd = os.open(path, os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK)
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LoadRefused(_symlink_refusal(path)) from None
        raise LoadRefused(f"{path}: cannot be read ({exc.strerror})") from None
    try:
        _require_regular(path, os.fstat(fd))
        os.set_blocking(fd, True)
    except BaseException:
        os.close(fd)
        raise
    return os.fdopen(fd, "rb")


def _require_regular(path: Path, info: os.stat_result) -> None:
    if stat.S_ISLNK(info.st_mode):
        raise LoadRefused(_symlink_refusal(path))
    if not stat.S_ISREG(info.st_mode):
        kind = _FILE_KINDS.get(stat.S_IFMT(info.st_mode), "a special file")
        raise LoadRefused(f"{path}: not a regular file (it is {kind}); nothing was loaded")


def _symlink_refusal(path: Path) -> str:
    return (
        f"{path}: is a symbolic link; registry files are read only as regular files (copy the"
        " file itself here); nothing was loaded"
    )


def _read_some(binary: BinaryIO, size: int) -> tuple[bytes, str | None]:
    """Up to ``size`` bytes, and what broke the gzip data if it broke on the way.

    Reads in steps (``read1``) so that the bytes before a cut are kept: a truncated small
    gzip is then refused by the records' reading, which counts the rows before the cut.
    """
    parts: list[bytes] = []
    got = 0
    while got < size:
        try:
            part = binary.read1(size - got)  # type: ignore[attr-defined]
        except _GZIP_ERRORS as exc:
            return b"".join(parts), _gzip_problem(exc)
        if not part:
            break
        parts.append(part)
        got += len(part)
    return b"".join(parts), None


def _gzip_problem(exc: BaseException) -> str:
    """What is wrong with gzip data, in words (gzip's own messages quote the file's bytes)."""
    if isinstance(exc, gzip.BadGzipFile):
        return "it does not start as gzip data"
    if isinstance(exc, EOFError):
        return "the compressed data ends before its end marker"
    return "the compressed data is corrupt"


def _describe(mapping: RegistryMapping, fields: list[str]) -> str:
    """Field names with their first Chinese alias: ``company_uscc (企业统一社会信用代码)``."""
    specs = {f.name: f for f in mapping.fields}
    parts = [f"{f} ({specs[f].aliases[0]})" if specs[f].aliases else f for f in fields]
    return ", ".join(parts)
