"""Canonical JSON: the one byte form that audit hashes and receipt signatures are computed on.

Keys sorted, no whitespace, UTF-8 (non-ASCII kept as is, not ``\\u`` escaped). Two documents
with the same content have the same bytes, whatever the order their keys were built in.
Floats are avoided in hashed and signed content: their text form differs between languages.

>>> canonical_json({"b": [1, "张"], "a": None})
b'{"a":null,"b":[1,"\\xe5\\xbc\\xa0"]}'
"""

from __future__ import annotations

import hashlib
import json
from datetime import date, datetime
from enum import Enum
from typing import Any, Final

#: The canonical form's encoder, made once: ``json.dumps`` with these options builds a new
#: ``JSONEncoder`` at every call, which for the many tiny values a check serialises (a
#: receipt's fields, a mark, a stored row's digest input) cost more than the encoding itself
#: (~14 calls a single-party check; docs/benchmarks.md, issue 14, session 12). ``encode`` keeps
#: no state between calls, so one instance serves every thread; its output is ``json.dumps``'
#: with the same options, byte for byte (``dumps`` makes this very encoder and calls it).
_ENCODER: Final = json.JSONEncoder(sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 bytes of a JSON-compatible ``value``.

    >>> samples = [{"z": [1.5, None, True], "a": {"é": "\\u00e9\\x00\\n", "b": -0}},
    ...            "\\x00mark\\x00", 10**20, [], {}, "张", 0.1]
    >>> [canonical_json(v) == json.dumps(
    ...     v, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    ...  for v in samples]
    [True, True, True, True, True, True, True]
    """
    return _ENCODER.encode(value).encode("utf-8")


def sha256_hex(data: bytes) -> str:
    """The SHA-256 of ``data`` as 64 lower-case hex digits.

    >>> sha256_hex(b"")[:16]
    'e3b0c44298fc1c14'
    """
    return hashlib.sha256(data).hexdigest()


#: Exact types that are JSON already (exact: an Enum that subclasses str must still convert).
_SCALARS: Final = frozenset({str, int, bool, float, type(None)})


def jsonable(value: Any) -> Any:
    """``value`` as plain JSON data: dates as ISO text, tuples as lists, enums as values.

    What is signed or hashed must be exactly what is sent, so answers are converted once,
    before signing, instead of by the response encoder afterwards.

    >>> from datetime import date
    >>> jsonable({"until": date(2026, 5, 1), "path": ({"hop": 1},)})
    {'until': '2026-05-01', 'path': [{'hop': 1}]}
    """
    if type(value) in _SCALARS:  # most values: answered before the isinstance chain below
        return value
    if isinstance(value, dict):
        return {str(key): _item(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_item(item) for item in value]
    if isinstance(value, Enum):
        return jsonable(value.value)
    if isinstance(value, date | datetime):
        return value.isoformat()
    return value


def _item(value: Any) -> Any:
    """:func:`jsonable` of a member, a scalar answered without a call (a 1,000-party check
    answer holds ~18,000 values)."""
    return value if type(value) in _SCALARS else jsonable(value)
