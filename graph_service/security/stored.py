"""The stored check's answer: kept as sent, compressed when it is big (issue 14).

Invariants (docs/checks.md, "Stored checks"; docs/security.md, "Never an edited answer"):

* A ``:Check`` row keeps the answer exactly as it was sent (the canonical JSON text the receipt
  signed), in one of two forms: ``response``, the text itself (every answer before this form,
  and any answer under :data:`COMPACT_FROM` bytes of UTF-8), or :data:`RESPONSE_ZLIB`, the text's
  UTF-8 bytes compressed with zlib and written as base64 (plain ASCII: the row's digest,
  :func:`graph_service.security.audit.stored_digest`, and the local log's JSON row hold it
  without a single escape). A row holds exactly one of them.
* The row's digest covers the form as stored, so an edited or truncated compressed answer
  breaks it like an edited text; :func:`response_text` reads either form back to the same
  text, and a compressed answer that cannot be read (cut short, corrupt, not UTF-8) raises
  :class:`StoredCheckUnreadable` naming the check — never a partial or wrong answer.

Why: a 1,000-party answer is ~0.4 MB of JSON; stored as text it was escaped into the local
log's JSON row (~0.45 MB), fsync'd, parsed back by the mirror and written into Neo4j, and
serialised again for the digest — measured as a large share of such a check's cost. zlib at
level 1 makes it ~7 times smaller (JSON of repeated keys) for a few ms of CPU, and releases
the GIL while it works.
"""

from __future__ import annotations

import base64
import binascii
import zlib
from collections.abc import Mapping
from typing import Any, Final

from graph_service.errors import StoredCheckUnreadable

#: Answers of at least this many bytes (UTF-8) are stored compressed (~40 parties); smaller
#: ones as text, where compressing would cost more than the bytes it saves. (Counted in
#: characters before the answer was made as bytes: the same for ASCII answers.)
COMPACT_FROM: Final = 16_384
#: The row's property holding a compressed answer (base64 of the zlib stream of its UTF-8).
RESPONSE_ZLIB: Final = "response_zlib"
#: zlib's level: the fastest. Level 6 saved ~25 % more bytes for ~1.6 times the CPU.
LEVEL: Final = 1


def stored_response(answer: str | bytes) -> dict[str, str]:
    """The row's properties holding ``answer`` (its text, or the UTF-8 bytes as sent): as
    text when small, else compressed.

    >>> stored_response('{"results":[]}')
    {'response': '{"results":[]}'}
    >>> big = '{"results":[' + ",".join(['{"name":"张三"}'] * 2000) + "]}"
    >>> stored = stored_response(big)
    >>> list(stored), len(stored[RESPONSE_ZLIB]) < len(big) / 10
    (['response_zlib'], True)
    >>> response_text(stored) == big
    True
    >>> stored_response(big.encode()) == stored, stored_response('{"a":"张"}'.encode())
    (True, {'response': '{"a":"张"}'})
    """
    data = answer.encode("utf-8") if isinstance(answer, str) else answer
    if len(data) < COMPACT_FROM:
        return {"response": data.decode("utf-8") if isinstance(answer, bytes) else answer}
    packed = zlib.compress(data, LEVEL)
    return {RESPONSE_ZLIB: base64.b64encode(packed).decode("ascii")}


def response_text(row: Mapping[str, Any]) -> str:
    """The answer stored in ``row`` (a ``:Check`` row, either form) as it was sent.

    >>> response_text({"check_id": "c1", "response_zlib": "eAGrVipKLS4="})
    Traceback (most recent call last):
    ...
    graph_service.errors.StoredCheckUnreadable: the stored answer of check c1 cannot be \
read: its compressed text is cut short
    """
    packed = row.get(RESPONSE_ZLIB)
    if packed is None:
        return str(row["response"])
    try:
        data = base64.b64decode(packed, validate=True)
        inflater = zlib.decompressobj()
        text = inflater.decompress(data) + inflater.flush()
        if not inflater.eof:
            raise _Unreadable("its compressed text is cut short")
        if inflater.unused_data:
            raise _Unreadable("bytes follow the end of its compressed text")
        return text.decode("utf-8")
    except _Unreadable as exc:
        raise _unreadable(row, str(exc)) from None
    except (binascii.Error, TypeError, ValueError, zlib.error) as exc:  # UnicodeError: ValueError
        raise _unreadable(row, f"its compressed text is corrupt ({exc})") from exc


class _Unreadable(Exception):
    """Why a compressed answer cannot be read (inside :func:`response_text` only)."""


def _unreadable(row: Mapping[str, Any], why: str) -> StoredCheckUnreadable:
    return StoredCheckUnreadable(
        f"the stored answer of check {row.get('check_id')} cannot be read: {why}"
    )
