"""Which encoding a registry file is in — UTF-8 or GB18030 — decided on evidence, never a hunch.

Registries deliver UTF-8 or GB18030 (GBK and GB2312 are subsets of it). Most files decode as
only one of the two, and then that one is it. Some decode as both: UTF-8 Chinese, accented
Latin or Cyrillic is often valid GB18030 (``Société`` as ``Soci茅t茅``), and a short GB18030 file
can be valid UTF-8 (``隆垄拢`` is, as ``¡¢£``) — rarely, as every one of its characters has to
fall on UTF-8's structure by chance. Choosing wrongly would load mojibake without a word, so
such a file's sample is read both ways and each reading is judged on:

* its header: Chinese column names are recognised only in the right reading;
* its names (the mapping's ``name`` and ``*_name`` fields; else any non-ASCII value; else the
  non-ASCII header cells): in a Chinese registry a name is Chinese, or Latin letters with a few
  accents; Latin-1 symbols (``¡¢£``), other scripts, or a Han character inside a Latin word
  are what a wrong reading looks like (:func:`plausible_name`);
* how garbled it is, as `charset-normalizer <https://github.com/jawah/charset_normalizer>`_
  measures it over the whole sample ("chaos": odd characters, scripts mixed within words).

UTF-8 is taken when its names are plausible and it is no more garbled than GB18030; GB18030
only when UTF-8's names are not plausible, its own are, and it is no more garbled (:func:`decide`).
Anything else is refused with a message that names ``--encoding``, with which the operator,
who knows the source, says what the file is. A file that decodes only as GB18030 is checked
with charset-normalizer too, as GB18030 decodes many byte strings of other encodings (Big5,
Latin-1) into garbled Chinese.
"""

from __future__ import annotations

import codecs
import csv
import json
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from charset_normalizer import from_bytes

from graph_service.errors import InvalidInput, LoadRefused
from loaders.mapping import RegistryMapping, header_key

UTF8, GB18030 = "utf-8", "gb18030"
#: Detection reads in chunks of this size, skipping those that are ASCII only.
SAMPLE_BYTES: Final = 64 * 1024
#: How far detection reads on, from the first chunk that is not ASCII, while both UTF-8 and
#: GB18030 can read what it has (a few names may not tell; more of them usually do).
DETECT_BYTES: Final = 1024 * 1024
_GB18030_BOM: Final = b"\x84\x31\x95\x33"
#: ``--encoding`` values and the decoder each means (GB18030 reads GBK and GB2312 exactly).
ENCODING_NAMES: Final = {
    "utf-8": UTF8, "utf8": UTF8, "utf_8": UTF8,
    "gb18030": GB18030, "gbk": GB18030, "gb2312": GB18030, "cp936": GB18030,
}  # fmt: skip
#: Above this chaos (charset-normalizer's default threshold) a reading is garbled text.
MAX_CHAOS: Final = 0.2
#: Share of names that must read plausibly for a reading to be called plausible.
PLAUSIBLE_SHARE: Final = 0.9
_HAN_NAMES = ("CJK", "IDEOGRAPHIC")


def encoding_option(value: str) -> str:
    """The decoder an ``--encoding`` value means.

    >>> encoding_option("GBK"), encoding_option("UTF8")
    ('gb18030', 'utf-8')
    """
    found = ENCODING_NAMES.get(value.strip().lower())
    if found is None:
        raise InvalidInput(
            f"--encoding {value} is not supported: registry files are utf-8 or gb18030"
            " (gbk and gb2312 files are read as gb18030)"
        )
    return found


@dataclass(frozen=True)
class Sample:
    """What detection reads of a file: its first line, and the bytes to judge.

    ``body`` starts at the first chunk with a non-ASCII byte (``at_start`` when that is the
    file's start) and runs for up to a megabyte; ``complete`` when it reaches the file's end.
    """

    first_line: bytes
    body: bytes
    at_start: bool
    complete: bool
    format: str  # csv | jsonl


@dataclass(frozen=True)
class Reading:
    """One way of decoding a sample, and how it fares."""

    encoding: str
    header_hits: int
    plausible: bool | None  # None: no non-ASCII name, value or header cell to judge
    chaos: float  # charset-normalizer's; infinity when it rejects the reading outright


#: Reads the file's next chunk: its bytes, and what broke the gzip data if it broke.
ChunkReader = Callable[[], tuple[bytes, str | None]]


def sample_of(head: bytes, broken: str | None, fmt: str, read: ChunkReader) -> Sample | None:
    """The bytes that decide the encoding: the first chunk that is not ASCII, and as many more
    as it takes to tell UTF-8 from GB18030 (up to :data:`DETECT_BYTES`).

    ``head`` is the file's first chunk. None when the file is ASCII to its end (or to a cut
    in its gzip data): UTF-8 reads it.
    """
    chunk, at_start = head, True
    while chunk.isascii():
        if broken or len(chunk) < SAMPLE_BYTES:
            return None
        chunk, broken = read()
        at_start = False
    first_line = head.split(b"\n", 1)[0]
    body, last = chunk, len(chunk)
    while True:
        complete = not broken and last < SAMPLE_BYTES
        sample = Sample(first_line, body, at_start, complete, fmt)
        if complete or broken or len(body) >= DETECT_BYTES or len(decodings(sample)) < 2:
            return sample
        more, broken = read()
        body, last = body + more, len(more)


def refuse_utf16_or_binary(head: bytes, name: str) -> None:
    """UTF-16 (with or without BOM) and binary files show as NUL bytes on the first line.

    A NUL further on is one row's problem (rejected with a reason), not the file's.
    """
    first_line = head.split(b"\n", 1)[0]
    utf16_bom = head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE))
    if utf16_bom or first_line.count(0) * 4 >= len(first_line) > 0:
        raise LoadRefused(f"{name} is UTF-16 or binary; save it as UTF-8 or GB18030 text")


def bom_encoding(head: bytes) -> str | None:
    """The encoding a byte-order mark at the file's start names, if it has one."""
    if head.startswith(codecs.BOM_UTF8):
        return "utf-8-sig"
    if head.startswith(_GB18030_BOM):
        return GB18030  # the decoder yields U+FEFF, which the header code strips
    return None


def decodings(sample: Sample) -> dict[str, str]:
    """The sample's text in each of UTF-8 and GB18030 that it is valid in."""
    return {e: text for e in (UTF8, GB18030) if (text := _decode(sample, e)) is not None}


def choose(sample: Sample, mapping: RegistryMapping, name: str) -> str:
    """The encoding of the file ``sample`` was read from; refuses when it cannot be told."""
    texts = decodings(sample)
    if not texts:
        raise LoadRefused(_neither(sample, name))
    if list(texts) == [UTF8]:
        return UTF8  # valid UTF-8 that is not GB18030: nothing else reads it
    if list(texts) == [GB18030]:
        return _only_gb18030(sample, name)
    readings = [_reading(sample, encoding, text, mapping) for encoding, text in texts.items()]
    chosen = decide(*readings)
    if chosen is None:
        raise LoadRefused(_ambiguous(name, *readings))
    return chosen


def decide(utf8: Reading, gb: Reading) -> str | None:
    """The reading that the header, the names and the measure of garble agree on, if one.

    A sample valid in both is far more often UTF-8 (which GB18030 reads as rare characters)
    than GB18030 that happens to be valid UTF-8, so UTF-8 wins unless its own names say no.

    >>> decide(Reading("utf-8", 3, True, 0.0), Reading("gb18030", 3, True, 0.05))
    'utf-8'
    >>> decide(Reading("utf-8", 2, False, 0.0), Reading("gb18030", 2, True, 0.0))
    'gb18030'
    >>> decide(Reading("utf-8", 2, False, 0.0), Reading("gb18030", 2, True, 0.09)) is None
    True
    """
    if utf8.header_hits != gb.header_hits:
        return max(utf8, gb, key=lambda r: r.header_hits).encoding
    if utf8.plausible is not False and utf8.chaos <= gb.chaos:
        return UTF8
    if utf8.plausible is False and gb.plausible and gb.chaos <= utf8.chaos:
        return GB18030
    return None


def plausible_name(value: str) -> bool:
    """Whether a name reads like one of a Chinese registry: Chinese, or Latin with accents.

    >>> [plausible_name(n) for n in ("隆垄拢", "阿卜杜·热合曼", "IBM中国", "Société Générale")]
    [True, True, True, True]
    >>> [plausible_name(n) for n in ("¡¢£", "Soci茅t茅", "éü", "Газпром")]
    [False, False, False, False]
    """
    latin_word = any(c.isascii() and c.isalpha() for c in value)
    for i, char in enumerate(value):
        if char.isascii():
            continue
        kind = _script(char)
        if kind == "latin" and latin_word:
            continue
        if kind == "chinese" and not _inside_latin_word(value, i):
            continue
        return False
    return True


# --- readings -------------------------------------------------------------------------------


def _decode(sample: Sample, encoding: str) -> str | None:
    """The sample's text in ``encoding``, or None when it is not valid there."""
    try:
        # final=False unless the sample is the whole file: it may end inside a character.
        return codecs.getincrementaldecoder(encoding)().decode(sample.body, final=sample.complete)
    except UnicodeDecodeError:
        return None


def _reading(sample: Sample, encoding: str, text: str, mapping: RegistryMapping) -> Reading:
    header = sample.first_line.decode(encoding, errors="replace").lstrip("\ufeff")
    header_names = mapping.header_names()
    cells: list[str] = []
    if sample.format == "csv":
        cells = next(csv.reader([header]), [])
        hits = sum(1 for cell in cells if header_key(cell) in header_names)
        rows = _csv_rows(text, cells, sample.at_start)
    else:
        hits, rows = 0, _jsonl_rows(text)
    names = _values(rows, mapping) or [cell for cell in cells if not cell.isascii()]
    plausible = _share(names) >= PLAUSIBLE_SHARE if names else None
    return Reading(encoding, hits, plausible, _chaos(sample, encoding))


def _csv_rows(text: str, header: list[str], at_start: bool) -> list[dict[str, str]]:
    lines = text.splitlines(keepends=True)
    if not at_start:
        lines = lines[1:]  # the sample starts mid-file, maybe inside a line
    rows = [dict(zip(header, cells, strict=False)) for cells in csv.reader(lines) if cells]
    return rows[1:] if at_start else rows  # the header is not a row


def _jsonl_rows(text: str) -> list[dict[str, str]]:
    rows = []
    for line in text.splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue  # a partial or broken line: the reader reports it
        if isinstance(obj, dict):
            rows.append({str(k): v for k, v in obj.items() if isinstance(v, str)})
    return rows


def _values(rows: list[dict[str, str]], mapping: RegistryMapping) -> list[str]:
    """The non-ASCII names of the rows, or all their non-ASCII values if no name has any."""
    header_names = mapping.header_names()
    name_fields = {f.name for f in mapping.fields if f.name == "name" or f.name.endswith("_name")}
    every = [
        (header_names.get(header_key(column)), value)
        for row in rows
        for column, value in row.items()
        if not value.isascii()
    ]
    names = [value for field, value in every if field in name_fields]
    return names or [value for _, value in every]


def _share(values: list[str]) -> float:
    return sum(1 for v in values if plausible_name(v.strip())) / len(values)


def _chaos(sample: Sample, encoding: str) -> float:
    """charset-normalizer's measure of garble over the whole sample (lines whole, no NULs)."""
    body = sample.body.replace(b"\x00", b"")
    if not sample.complete and b"\n" in body:
        body = body[: body.rindex(b"\n") + 1]  # 0x0A is never inside a character of either
    found = from_bytes(
        body,
        cp_isolation=[encoding.replace("-", "_")],
        steps=1,
        chunk_size=max(len(body), 1),
        threshold=1.0,
        enable_fallback=False,
    ).best()
    return float("inf") if found is None else float(found.chaos)


def _neither(sample: Sample, name: str) -> str:
    """Where the sample stops being UTF-8 (the line of its first non-ASCII part)."""
    try:
        sample.body.decode(UTF8)
        line = sample.body.count(b"\n") + 1
    except UnicodeDecodeError as exc:
        line = sample.body[: exc.start].count(b"\n") + 1
    return (
        f"{name} is neither UTF-8 nor GB18030 text (it stops being UTF-8 on line {line} of its"
        " first non-ASCII part: a mix of encodings?); if you know its encoding, name it with"
        " --encoding; nothing was loaded"
    )


def _only_gb18030(sample: Sample, name: str) -> str:
    """GB18030 when the text reads as such; garbled Chinese means another encoding."""
    if _chaos(sample, GB18030) <= MAX_CHAOS:
        return GB18030
    raise LoadRefused(
        f"{name} decodes only as GB18030, but reads as garbled text that way (another encoding,"
        " such as Big5?); if it is GB18030, say so with --encoding gb18030; nothing was loaded"
    )


def _ambiguous(name: str, utf8: Reading, gb: Reading) -> str:
    return (
        f"{name} is valid both as UTF-8 and as GB18030 text, and its names do not tell which"
        f" (names read as UTF-8: {_looks(utf8)}; as GB18030: {_looks(gb)}); say which with"
        " --encoding utf-8 or --encoding gb18030; nothing was loaded"
    )


def _looks(reading: Reading) -> str:
    """How one reading fared, for the refusal: ``implausible, garble 0.00``."""
    names = {None: "none to judge", True: "plausible", False: "implausible"}[reading.plausible]
    garble = "unreadable" if reading.chaos == float("inf") else f"{reading.chaos:.2f}"
    return f"{names}, garble {garble}"


# --- characters -----------------------------------------------------------------------------


def _script(char: str) -> str:
    """``chinese`` (Han and the punctuation Chinese text uses), ``latin`` or ``other``."""
    code = ord(char)
    if 0x3000 <= code <= 0x303F or 0xFF00 <= code <= 0xFFEF or char in "·•・“”‘’—…":
        return "chinese"
    unicode_name = unicodedata.name(char, "")
    if unicode_name.startswith(_HAN_NAMES):
        return "chinese"
    if unicode_name.startswith("LATIN") and unicodedata.category(char).startswith("L"):
        return "latin"
    return "other"


def _inside_latin_word(value: str, i: int) -> bool:
    """A character with Latin letters right before and after it (``Soci茅t茅``)."""
    before, after = value[i - 1 : i], value[i + 1 : i + 2]
    return any(c.isascii() and c.isalpha() for c in before) and any(
        c.isascii() and c.isalpha() for c in after
    )
