"""A party's answer made once, when its snapshot row is written, for checks to join (pure).

Profiling a 1,000-party check for today (issue 14, session 10) put ~60 % of a worker's CPU in
work that is the same for every check of a party on one day: parsing its stored measures,
putting each into the answer's shape, masking it for checkers, and writing it out as
canonical JSON for the receipt. A *fragment* is that work done once, per party and day:

* ``kind``, ``name`` and the name as a checker sees it, as JSON text;
* whether the party is red-listed on the day;
* every measure applying on the day in the answer's shape as canonical JSON, plain and masked,
  cut in two around its ``decision`` (the only value that depends on the check's context),
  with the measure's name and its record's reference, in the order the answer sorts
  measures of equal strength (:func:`~graph_service.check.evaluate.order_tail`).

A check then only looks up each measure's decision in its context, sorts by strength (a
stable sort of an already ordered list gives the answer's order) and joins the texts.

When a fragment may not be joined, the party is decided from its row exactly as before
(:func:`usable`): a fragment of another day (a record may begin or a measure lapse at
midnight, and an id number's validity depends on the day), a party sent in another spelling
than its normalised id (masking looks at the id as sent), a measure whose record is under an
open objection (the answer marks it contested), or a fragment that cannot be read.

>>> from graph_service.policy import default_catalog
>>> row = {"party_id": "91130102RG8E64XKKR", "name": "华北", "kind": "company",
...        "red_records": [], "measures": []}
>>> made = make(row, default_catalog(), date(2026, 12, 7))
>>> made.kind, made.name.decode(), made.red_listed, made.measures
(b'"company"', '"华北"', 0, b'')
>>> result_text("91130102RG8E64XKKR", made, b"allow", [], False).decode()
'{"decision":"allow","error":null,"found":true,"kind":"company","measures":[],"name":"华北",\
"party_id":"91130102RG8E64XKKR"}'

A fragment's texts are UTF-8 bytes, as read from the snapshot and as the answer is sent and
signed: a 1,000-party check joins them without decoding a column or encoding the answer again
(decoding every column of the rows read and encoding the joined text for the CRC and the
signature were ~20 % of such a check's worker CPU in session 12's profile). Its measure items
are split, not parsed (:func:`items_of`); a fragment made by other code (another item form)
carries another stamp and is never joined, so the snapshot's format is unchanged.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import zlib
from collections.abc import Mapping, Sequence
from datetime import date
from pathlib import Path
from typing import Any, Final, NamedTuple

from graph_service.analysis.activity import holds_red_list
from graph_service.check.evaluate import answer_measure, order_tail, party_kind
from graph_service.dueprocess.contested import record_ref_of_measure
from graph_service.policy.catalog import Catalog
from graph_service.security.canonical import canonical_json
from graph_service.security.masking import mask_json, mask_result

#: What stands for a measure's decision while its text is made: short (masking looks only
#: at text of 18 characters or more) and never found in data (a NUL character).
HOLE: Final = "\x00decision\x00"
_HOLE_JSON: Final = json.dumps(HOLE).encode("ascii")
#: Positions of a measure item's fields (:data:`Item`).
NAME, MASKED_NAME, REF, HEAD, TAIL, MASKED_HEAD, MASKED_TAIL = range(7)
#: What separates a fragment's measure items, and an item's fields: control characters, which
#: never occur raw in a field (each is JSON text, or a piece of canonical JSON, where they are
#: escaped), so that a check splits the items instead of parsing them (``json.loads`` of the
#: items was ~15 % of a 1,000-party check's CPU in session 14's profile).
ITEMS_SEPARATOR: Final = b"\x1e"
FIELDS_SEPARATOR: Final = b"\x1f"
#: A measure item as a check reads it: its fields' UTF-8 (positions above) — the measure's name,
#: its name as a checker sees it and its record's reference as JSON text, and its canonical
#: text plain and masked, cut around the decision.
Item = list[bytes]
#: The modules whose code shapes a fragment's text: the answer's fields, masking, the JSON.
_SHAPING: Final = (
    __name__,
    "graph_service.check.evaluate",
    "graph_service.security.masking",
    "graph_service.security.canonical",
    "graph_service.dueprocess.contested",
)


def _code_id() -> str:
    """12 hex digits of the SHA-256 of the shaping modules' source: a fragment made by other
    code (before a deploy that changed an answer's fields or how persons are masked) is then
    not joined, but decided from its row until the builder remakes it — never sent as the
    old text with a valid receipt until midnight."""
    digest = hashlib.sha256()
    for name in _SHAPING:
        origin = importlib.util.find_spec(name).origin  # type: ignore[union-attr]
        digest.update(Path(str(origin)).read_bytes())
    return digest.hexdigest()[:12]


#: This code's identity, in every fragment it makes (:func:`stamp`).
CODE: Final = _code_id()


def stamp(day: date) -> str:
    """What a fragment made by this code for ``day`` carries as ``made_on``.

    >>> stamp(date(2026, 12, 7)) == "2026-12-07/" + CODE
    True
    """
    return f"{day.isoformat()}/{CODE}"


class Fragment(NamedTuple):
    """A party's precomputed answer for ``made_on`` (the snapshot's columns ``f_*``, their
    texts as UTF-8 bytes; a tuple: a check makes one per party it joins, and a frozen
    dataclass took 4× as long to make)."""

    made_on: bytes  # the day it holds for and the code that made it (:func:`stamp`)
    kind: bytes  # JSON text
    name: bytes  # JSON text
    masked_name: bytes  # JSON text, as a checker sees it
    red_listed: int  # 0 or 1
    measures: bytes  # measure items (:func:`measures_text`), empty when none
    crc: int  # CRC-32 of the fields above (:func:`crc_of`): a damaged text shows as a mismatch

    @classmethod
    def of(
        cls, made_on: bytes, kind: bytes, name: bytes, masked_name: bytes, red: int, measures: bytes
    ) -> Fragment:
        """The fragment of these fields, with their CRC."""
        return cls(made_on, kind, name, masked_name, red, measures,
                   crc_of(made_on, kind, name, masked_name, red, measures))  # fmt: skip


def crc_of(
    made_on: bytes, kind: bytes, name: bytes, masked_name: bytes, red: int, measures: bytes
) -> int:
    """The CRC-32 stored with a fragment (snapshot format 3): of its texts' UTF-8, joined by
    ``\\x1f``. Its texts are spliced into the answer and the signed bytes as they are: a row
    damaged on disk or by hand could otherwise make a body that is not JSON, signed. A check
    costs ~1 µs a party.

    >>> name = '"华北"'.encode()
    >>> crc_of(b"2026-12-07/x", b'"company"', name, name, 0, b"[]")
    2936067463
    """
    return zlib.crc32(b"\x1f".join((made_on, kind, name, masked_name, b"%d" % red, measures)))


class FragmentUnusable(ValueError):
    """A fragment that cannot be made or joined (its row, or its own text, unreadable or of
    an unexpected shape)."""


def make(row: Mapping[str, Any], catalog: Catalog, day: date) -> Fragment | None:
    """The fragment of a snapshot row (``party_id``, ``name``, ``kind``, ``red_records``,
    ``measures``) for checks on ``day``; None when the party's id is not valid that day (such
    a party is answered as invalid, from no fragment). FragmentUnusable when the row's stored
    measures or records are not of the shape propagation stores (a snapshot built from a
    Parquet export reads an outside input): the party is then decided from its row, as its
    checks were before fragments, and the rest of the snapshot is written.

    >>> from graph_service.policy import default_catalog
    >>> make({"party_id": "91130102RG8E64XKKR", "name": "华北", "kind": "company",
    ...       "red_records": [], "measures": [{"measure": "m", "until": None}]},
    ...      default_catalog(), date(2026, 12, 7))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph_service.check.fragments.FragmentUnusable: a stored measure or record of \
91130102RG8E64XKKR has an unexpected shape (KeyError('path_json'))
    """
    try:
        return _made(row, catalog, day)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        party = row.get("party_id") if isinstance(row, Mapping) else None
        raise FragmentUnusable(
            f"a stored measure or record of {party} has an unexpected shape ({exc!r})"
        ) from exc


def _made(row: Mapping[str, Any], catalog: Catalog, day: date) -> Fragment | None:
    party = str(row["party_id"])
    kind = row["kind"] or party_kind(party)
    if kind is None:
        return None
    applying = on_date(row, day.isoformat())
    items = sorted((_item(m) for m in applying["measures"]), key=lambda pair: pair[0])
    shown = {"party_id": party, "found": True, "name": row["name"], "kind": kind,
             "decision": "allow", "measures": [], "error": None}  # fmt: skip
    return Fragment.of(
        stamp(day).encode("utf-8"),
        canonical_json(kind),
        canonical_json(row["name"]),
        canonical_json(mask_result(shown)["name"]),
        int(holds_red_list(applying["red_records"], catalog, day)),
        measures_text([item for _key, item in items]),
    )


def on_date(row: Mapping[str, Any], iso: str) -> dict[str, Any]:
    """``row`` with only the red-list records begun and the measures still applying on the
    ISO date ``iso`` (ISO dates compare as text), as ``check/parties`` selects them; the one
    rule for a fragment and for a party decided from its row.

    >>> row = {"red_records": [{"start": "2026-07-01"}, {"start": "2026-01-01"}],
    ...        "measures": [{"until": "2026-05-31"}, {"until": None}]}
    >>> on_date(row, "2026-06-01")["measures"], on_date(row, "2026-06-01")["red_records"]
    ([{'until': None}], [{'start': '2026-01-01'}])
    """
    red = [r for r in row["red_records"] if r.get("start") is not None and r["start"] <= iso]
    measures = [m for m in row["measures"] if m.get("until") is None or m["until"] >= iso]
    return {**row, "red_records": red, "measures": measures}


def _item(stored: Mapping[str, Any]) -> tuple[tuple[str, ...], Item]:
    """A stored measure's sort key (after its strength) and its item (:data:`Item`)."""
    shown = answer_measure({**stored, "contested": False, "objection_id": None}, _Hole())
    masked = mask_json(shown)
    head, tail = _cut(canonical_json(shown))
    masked_head, masked_tail = _cut(canonical_json(masked))
    ref = record_ref_of_measure(stored)
    named = [canonical_json(v) for v in (shown["measure"], masked["measure"], ref)]
    return order_tail(shown), [*named, head, tail, masked_head, masked_tail]


def measures_text(items: Sequence[Item]) -> bytes:
    """A fragment's measure items as stored: fields joined by :data:`FIELDS_SEPARATOR`, items
    by :data:`ITEMS_SEPARATOR` (none: empty); :func:`items_of` reads them back.

    >>> text = measures_text([[b'"a"', b'"a"', b"null", b'{"d":', b"}", b'{"d":', b"}"]] * 2)
    >>> text.count(ITEMS_SEPARATOR), text.count(FIELDS_SEPARATOR), measures_text([])
    (1, 12, b'')
    """
    return ITEMS_SEPARATOR.join(FIELDS_SEPARATOR.join(item) for item in items)


class _Hole:
    """Stands for the check's ranking while a fragment is made: every decision is the hole."""

    def decision(self, measure: str) -> str:
        del measure
        return HOLE


def _cut(text: bytes) -> tuple[bytes, bytes]:
    """A measure's text cut around its decision's hole (exactly one in a measure's text)."""
    head, hole, tail = text.partition(_HOLE_JSON)
    if not hole or _HOLE_JSON in tail:
        raise ValueError("a measure's text holds the decision's stand-in more than once")
    return head, tail


def items_of(fragment: Fragment) -> list[Item]:
    """The fragment's measure items (:data:`Item`); FragmentUnusable when its texts do not
    match their CRC, or when the items are not of their shape.

    >>> item = [b'"a"', b'"a"', b"null", b'{"d":', b"}", b'{"d":', b"}"]
    >>> items_of(Fragment.of(b"2026-12-07", b'"company"', b"null", b"null", 0, b""))
    []
    >>> items_of(Fragment.of(b"2026-12-07", b'"c"', b"null", b"null", 0, measures_text([item])))
    [[b'"a"', b'"a"', b'null', b'{"d":', b'}', b'{"d":', b'}']]
    >>> items_of(Fragment.of(b"2026-12-07", b'"company"', b"null", b"null", 0, b"[[1"))
    Traceback (most recent call last):
    ...
    graph_service.check.fragments.FragmentUnusable: measures of an unexpected shape
    >>> items_of(Fragment.of(b"2026-12-07", b'"company"', '"华北"'.encode(), b"null", 0, b"")
    ...          ._replace(name='"华'.encode()))
    Traceback (most recent call last):
    ...
    graph_service.check.fragments.FragmentUnusable: its texts do not match their CRC (damaged)
    """
    if fragment.crc != crc_of(*fragment[:6]):
        raise FragmentUnusable("its texts do not match their CRC (damaged)")
    if not fragment.measures:  # most parties
        return []
    items = [item.split(FIELDS_SEPARATOR) for item in fragment.measures.split(ITEMS_SEPARATOR)]
    if any(len(item) != 7 for item in items):
        raise FragmentUnusable("measures of an unexpected shape")
    return items


def text_of(field: bytes) -> Any:
    """A name's or reference's JSON text (an item's :data:`NAME`, :data:`MASKED_NAME`,
    :data:`REF`) as its value; FragmentUnusable when it is not JSON.

    >>> text_of('"华北"'.encode()), text_of(b"null")
    ('华北', None)
    """
    try:
        return json.loads(field)
    except ValueError as exc:
        raise FragmentUnusable(f"unreadable measure field ({exc})") from None


def usable(fragment: Fragment | None, sent: str, party: str, stamped: bytes) -> bool:
    """Whether ``fragment`` answers the party ``sent`` as ``party`` (its normalised id) on
    the day and with the code of ``stamped`` (:func:`stamp`, as UTF-8); the rest is
    :func:`items_of`'s and the objections' to say.

    >>> today = stamp(date(2026, 12, 7)).encode()
    >>> f = Fragment.of(today, b'"company"', b"null", b"null", 0, b"[]")
    >>> usable(f, "X", "X", today), usable(f, "x", "X", today)
    (True, False)
    >>> usable(f, "X", "X", stamp(date(2026, 12, 8)).encode()), usable(None, "X", "X", today)
    (False, False)
    >>> usable(f._replace(made_on=b"2026-12-07/0123456789ab"), "X", "X", today)  # other code
    False
    """
    return fragment is not None and fragment.made_on == stamped and sent == party


def result_text(
    sent: str,
    fragment: Fragment,
    decision: bytes,
    ordered: Sequence[tuple[Item, bytes]],
    masked: bool,
) -> bytes:
    """The canonical JSON of one party's result (UTF-8): ``decision`` the party's, ``ordered``
    its measure items in the answer's order with each one's decision in the check's context
    (each a JSON string's content, as UTF-8)."""
    head, tail = (MASKED_HEAD, MASKED_TAIL) if masked else (HEAD, TAIL)
    measures = b",".join([b'%s"%s"%s' % (i[head], d, i[tail]) for i, d in ordered])
    return _RESULT % (
        decision,
        fragment.kind,
        measures,
        fragment.masked_name if masked else fragment.name,
        canonical_json(sent),
    )


#: A found party's result with its decision, kind, measures, name and id to fill in.
_RESULT: Final = (
    b'{"decision":"%s","error":null,"found":true,"kind":%s,"measures":[%s],"name":%s,"party_id":%s}'
)


def unknown_text(sent: str, kind: str) -> bytes:
    """The result of a valid id the snapshot does not hold (nothing restricts it).

    >>> unknown_text("91110000MA01ABCD0J", "company").decode()
    '{"decision":"allow","error":null,"found":false,"kind":"company","measures":[],\
"name":null,"party_id":"91110000MA01ABCD0J"}'
    """
    return (
        b'{"decision":"allow","error":null,"found":false,"kind":"%s",'
        b'"measures":[],"name":null,"party_id":%s}' % (kind.encode("utf-8"), canonical_json(sent))
    )


def invalid_text(sent: str) -> bytes:
    """The result of an id that is not valid (no decision).

    >>> invalid_text("x").decode()
    '{"decision":null,"error":"invalid_identifier","found":false,"kind":null,"measures":[],\
"name":null,"party_id":"x"}'
    """
    return (
        b'{"decision":null,"error":"invalid_identifier","found":false,"kind":null,'
        b'"measures":[],"name":null,"party_id":' + canonical_json(sent) + b"}"
    )
