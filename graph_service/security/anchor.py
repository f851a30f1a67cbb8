"""Anchors: the audit log's head, signed and kept outside the database.

The hash chain finds any entry changed, inserted or removed *inside* the log, but not its
newest entries removed together with the head moved back to the last one kept, nor the whole
database rolled back to a backup: what is left is a valid, shorter chain. An anchor closes that
gap. ``credit-graph audit anchor`` writes the head — seq, hash, the entry's time and the time
of anchoring — signed with the receipt key (:mod:`.signing`), to a file the operator keeps
elsewhere (daily, say); ``credit-graph audit verify --anchor FILE`` then requires the chain to
still hold that entry with that hash. Removing entries up to an anchored one, or rewriting the
chain from before it, is found; entries newer than the newest anchor stay unprotected.

The document is signed like a check's answer (its ``receipt`` field), so ``credit-graph
receipt verify anchor.json --public-key …`` checks it offline too.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> signer = ReceiptSigner(Ed25519PrivateKey.generate())
>>> document = anchor_document(Anchor(7, "ab" * 32, "2026-01-01T00:00:00.000000Z",
...                                   "2026-01-02T00:00:00.000000Z"), signer)
>>> read_anchor(document, signer.public_key, "a.json").seq
7
>>> read_anchor({**document, "seq": 6}, signer.public_key, "a.json")
Traceback (most recent call last):
...
graph_service.errors.AuditBroken: the anchor a.json does not verify: the signature does not \
match the answer: it was changed after signing, or signed by another key
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph_service.errors import AuditBroken, InvalidInput, ReceiptInvalid
from graph_service.security.audit import Anchor
from graph_service.security.signing import ReceiptSigner, verify_receipt

#: What the ``anchor`` field of the document says it is.
KIND: Final = "credit-graph audit head"
_HASH = re.compile(r"^[0-9a-f]{64}$")


def anchor_document(anchor: Anchor, signer: ReceiptSigner) -> dict[str, Any]:
    """The anchor as the signed JSON document the operator keeps."""
    document: dict[str, Any] = {
        "anchor": KIND,
        "seq": anchor.seq,
        "hash": anchor.hash,
        "at": anchor.at,
        "anchored_at": anchor.anchored_at,
    }
    document["receipt"] = signer.sign(document)
    return document


def read_anchor(document: Any, public_key: Ed25519PublicKey, source: str) -> Anchor:
    """The anchor in ``document`` (read from ``source``), once its signature verifies."""
    if not isinstance(document, dict) or document.get("anchor") != KIND:
        raise InvalidInput(f"{source} is not an audit anchor (from `credit-graph audit anchor`)")
    try:
        verify_receipt(document, public_key)
    except ReceiptInvalid as exc:
        raise AuditBroken(f"the anchor {source} does not verify: {exc}") from None
    seq, hash_ = document.get("seq"), document.get("hash")
    at, anchored_at = document.get("at"), document.get("anchored_at")
    if not (isinstance(seq, int) and seq > 0 and isinstance(hash_, str) and _HASH.match(hash_)):
        raise InvalidInput(f"{source}: the anchor's seq or hash is malformed")
    if not (isinstance(at, str) and isinstance(anchored_at, str)):
        raise InvalidInput(f"{source}: the anchor's times are malformed")
    return Anchor(seq, hash_, at, anchored_at)


def load_anchor(path: Path, public_key: Ed25519PublicKey) -> Anchor:
    """The anchor saved in the file ``path``."""
    try:
        document = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError) as exc:
        raise InvalidInput(f"cannot read the anchor {path}: {exc}") from None
    return read_anchor(document, public_key, str(path))
