"""Streaming reader of registry files: CSV or JSON Lines, plain or gzip, UTF-8 or GB18030.

It yields one :class:`SourceRecord` per data row — its first line number, its raw text as it
stands in the file, and its values by English field name — and never holds more than one
record, so memory stays flat however large the file.

Invariants:

* A problem with the *file* (empty, undecodable, missing required column, truncated gzip)
  raises :class:`LoadRefused` naming the file; the engine reads the whole file before it
  writes anything, so a refused file leaves the graph untouched.
* A problem with one *row* (wrong number of fields, invalid JSON) is reported on the record
  (``problem``), so that the row is rejected and every other row still loads.
* Line numbers are physical lines of the file (the CSV header is line 1); a CSV record with
  quoted newlines has the number of its first line.
"""

from __future__ import annotations

import codecs
import csv
import gzip
import io
import json
import zlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any, BinaryIO

from graph_service.errors import LoadRefused
from loaders.mapping import RegistryMapping, header_key

#: How much of a file's first non-ASCII bytes decides its encoding.
SAMPLE_BYTES = 64 * 1024
_GB18030_BOM = b"\x84\x31\x95\x33"
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
    format: str = field(init=False)
    compressed: bool = field(init=False)
    encoding: str = field(init=False)
    unknown_columns: list[str] = field(default_factory=list, init=False)
    rows_read: int = field(default=0, init=False)
    size: int = field(default=0, init=False)
    _raw: BinaryIO | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
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
        if not self.path.is_file():
            raise LoadRefused(f"{self.path}: no such file")
        self.size = self.path.stat().st_size
        self.encoding = self._detect_encoding()

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
        self._raw = self.path.open("rb")
        if self.compressed:
            return gzip.GzipFile(fileobj=self._raw, mode="rb")  # type: ignore[return-value]
        return self._raw

    def _detect_encoding(self) -> str:
        """Decides the encoding on the first bytes that are not ASCII (or the first bytes).

        A file can be ASCII for megabytes before its first Chinese name; deciding on a fixed
        prefix would guess UTF-8 for a GBK export like that, so this scans on to the first
        non-ASCII chunk (fast: ``bytes.isascii`` runs in C).
        """
        with self._open() as binary:
            head = self._io(lambda: binary.read(SAMPLE_BYTES))
            if not head.strip(b" \t\r\n" + codecs.BOM_UTF8):
                raise LoadRefused(f"{self.name} is empty: there is no header and no data")
            found = _bom_encoding(head, self.name)
            if found:
                return found
            sample = head
            while sample.isascii() and len(sample) == SAMPLE_BYTES:
                try:
                    sample = binary.read(SAMPLE_BYTES)
                except (EOFError, gzip.BadGzipFile, zlib.error):
                    break  # reading the records finds it again, counting the rows before it
        return _sample_encoding(sample, self.name)

    def _io(self, read: Any) -> bytes:
        try:
            return bytes(read())
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise LoadRefused(
                f"{self.name}: not valid gzip data, or truncated at its start ({exc})"
            ) from exc

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
        except (EOFError, gzip.BadGzipFile, zlib.error) as exc:
            raise LoadRefused(
                f"{self.name}: the gzip data ends early or is corrupt after {self.rows_read}"
                f" data rows ({exc}); the file looks truncated. Nothing was loaded",
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
        for cells in _safe(reader):
            line, raw = tap.record()
            if not cells:
                continue  # a blank line is not a row
            if isinstance(cells, csv.Error):
                yield SourceRecord(line, raw, {}, f"is not valid CSV ({cells})")
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
            raise LoadRefused(
                f"{self.name}: required column {_describe(self.mapping, missing)} missing"
                f" (the header has {', '.join(header)}); nothing was loaded"
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
    try:
        obj = json.loads(raw)
    except ValueError as exc:
        return SourceRecord(line_no, raw, {}, f"is not valid JSON ({exc})")
    if not isinstance(obj, dict):
        return SourceRecord(line_no, raw, {}, "is not a JSON object")
    values: dict[str, str] = {}
    for key, value in obj.items():
        name = names[key]
        if name is None:
            unknown.setdefault(key)
        elif isinstance(value, dict | list):
            return SourceRecord(line_no, raw, {}, f"field {key} holds a list or object")
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


def _bom_encoding(head: bytes, name: str) -> str | None:
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(_GB18030_BOM):
        return "gb18030"  # the decoder yields U+FEFF, which the header code strips
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)) or b"\x00" in head:
        raise LoadRefused(f"{name} is UTF-16 or binary; save it as UTF-8 or GB18030 text")
    return None


def _sample_encoding(sample: bytes, name: str) -> str:
    """UTF-8 when the sample decodes as UTF-8, else GB18030 when it decodes so, else refused."""
    first_bad = 0
    for encoding in ("utf-8", "gb18030"):
        try:
            # final=False: the sample may end inside a multi-byte character.
            codecs.getincrementaldecoder(encoding)().decode(sample, final=False)
        except UnicodeDecodeError as exc:
            first_bad = first_bad or exc.start
            continue
        return encoding
    line = sample[:first_bad].count(b"\n") + 1
    raise LoadRefused(
        f"{name} is neither UTF-8 nor GB18030 text (it stops being UTF-8 on line {line} of"
        " its first non-ASCII part: a mix of encodings?); nothing was loaded"
    )


def _describe(mapping: RegistryMapping, fields: list[str]) -> str:
    """Field names with their first Chinese alias: ``company_uscc (企业统一社会信用代码)``."""
    specs = {f.name: f for f in mapping.fields}
    parts = [f"{f} ({specs[f].aliases[0]})" if specs[f].aliases else f for f in fields]
    return ", ".join(parts)
