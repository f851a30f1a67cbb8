"""The verification block of a credit report: its data's digest, signed with the receipt key.

What is digested: the SHA-256 of the canonical JSON (:mod:`graph_service.security.canonical`:
keys sorted, no whitespace, UTF-8) of the report's *data* — the JSON document every section
of the report is rendered from (graph_service/report/assemble.py), as masked for its reader.

What is signed: the verification block itself, exactly as a check's receipt signs a check's
answer (:mod:`graph_service.security.signing`): ``kind``, ``report_number``, ``party_id``,
``as_of``, ``made_at``, ``catalog_version`` and ``data_sha256``, under ``receipt`` with the
key's id, the algorithm (Ed25519) and the signature. ``credit-graph receipt verify`` checks:

* a verification block alone (the JSON printed in the report): the signature — the block is
  as the service made it, for the digest it names;
* a report bundle ``{"verification", "data"}`` (``?format=json``, ``--json``, and the file
  ``credit-report.json`` embedded in every PDF and HTML report): the signature, and that the
  data's digest is the one signed — one changed character anywhere fails.

>>> from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
>>> signer = ReceiptSigner(Ed25519PrivateKey.generate())
>>> data = {"report": {"number": "CGR-1", "as_of": "2026-12-06", "made_at": "t",
...                    "catalog_version": "v"}, "party": {"party_id": "X", "name": "某公司"}}
>>> bundle = {"verification": sign_report(data, signer), "data": data}
>>> verify_report(bundle, signer.public_key).startswith("report OK")
True
>>> bundle["data"]["party"]["name"] = "某公司 "
>>> verify_report(bundle, signer.public_key)
Traceback (most recent call last):
...
graph_service.errors.ReceiptInvalid: the report's data does not match the digest it was \
signed with: the data was changed after the report was made
"""

from __future__ import annotations

import json
import re
import zlib
from typing import Any, Final

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph_service.errors import InvalidInput, ReceiptInvalid
from graph_service.security.canonical import canonical_json, sha256_hex
from graph_service.security.signing import ReceiptSigner, verify_receipt

#: ``kind`` of a report's verification block (a check's answer has none).
KIND: Final = "credit_report"
#: Name of the bundle embedded in PDF (as an attachment) and HTML reports.
BUNDLE_NAME: Final = "credit-report.json"
#: The id of the HTML ``<script type="application/json">`` holding the bundle.
HTML_ID: Final = "credit-report-json"


def data_digest(data: dict[str, Any]) -> str:
    """The SHA-256 (hex) of the canonical JSON of a report's data."""
    return sha256_hex(canonical_json(data))


def sign_report(data: dict[str, Any], signer: ReceiptSigner) -> dict[str, Any]:
    """The signed verification block of a report's ``data``."""
    header = data["report"]
    block: dict[str, Any] = {
        "kind": KIND,
        "report_number": header["number"],
        "party_id": data["party"]["party_id"],
        "as_of": header["as_of"],
        "made_at": header["made_at"],
        "catalog_version": header["catalog_version"],
        "data_sha256": data_digest(data),
    }
    block["receipt"] = signer.sign(block)
    return block


def is_report(document: dict[str, Any]) -> bool:
    """True for a report's verification block or bundle (not a check's answer)."""
    block = document.get("verification", document)
    return isinstance(block, dict) and block.get("kind") == KIND


def verify_report(document: dict[str, Any], public_key: Ed25519PublicKey) -> str:
    """Verifies a verification block or a bundle; returns what was verified, else raises
    :class:`~graph_service.errors.ReceiptInvalid`."""
    block = document.get("verification", document)
    verify_receipt(block, public_key)
    said = (
        f"report {block.get('report_number')} of party {block.get('party_id')} as of "
        f"{block.get('as_of')}, signed by key {block['receipt']['key_id']}"
    )
    if "data" not in document:
        return f"report OK (signature): {said}; data digest {block.get('data_sha256')}"
    if not isinstance(document["data"], dict) or data_digest(document["data"]) != block.get(
        "data_sha256"
    ):
        raise ReceiptInvalid(
            "the report's data does not match the digest it was signed with: the data was "
            "changed after the report was made"
        )
    return f"report OK (signature and data): {said}"


# --- the bundle inside a report file --------------------------------------------------------


def read_document(content: bytes, source: str) -> dict[str, Any]:
    """The JSON document of a file given to ``receipt verify``: a check's answer, a
    verification block or bundle, or the bundle inside a PDF or HTML report."""
    if content.startswith(b"%PDF"):
        text = _pdf_attachment(content, source)
    elif b'id="' + HTML_ID.encode() + b'"' in content:
        text = _html_script(content.decode("utf-8", errors="replace"), source)
    else:
        text = content.decode("utf-8", errors="replace")
    try:
        document = json.loads(text)
    except ValueError as exc:
        raise InvalidInput(f"cannot read {source} as JSON: {exc}") from None
    if not isinstance(document, dict):
        raise InvalidInput(f"{source} holds no JSON object (a check's answer or a report)")
    return document


_EMBEDDED = re.compile(rb"/Type\s*/EmbeddedFile\b(?P<dict>.*?)>>\s*stream\r?\n", re.DOTALL)
_LENGTH = re.compile(rb"/Length\s+(\d+)")


def _pdf_attachment(content: bytes, source: str) -> str:
    """The embedded ``credit-report.json`` of a PDF this service made (WeasyPrint writes an
    attachment as one ``/EmbeddedFile`` stream, Flate-compressed, with a direct length)."""
    for match in _EMBEDDED.finditer(content):
        length = _LENGTH.search(match.group("dict"))
        if length is None:
            continue
        raw = content[match.end() : match.end() + int(length.group(1))]
        if b"/FlateDecode" in match.group("dict"):
            raw = zlib.decompress(raw)
        text = raw.decode("utf-8", errors="replace")
        if f'"{KIND}"' in text:
            return text
    raise InvalidInput(f"{source} is a PDF without an embedded {BUNDLE_NAME}: not a report")


def _html_script(html: str, source: str) -> str:
    pattern = rf'<script[^>]*id="{HTML_ID}"[^>]*>(?P<json>.*?)</script>'
    match = re.search(pattern, html, re.DOTALL)
    if match is None:
        raise InvalidInput(f"{source} has no {HTML_ID} script: not a report")
    return match.group("json")  # written by html_json: "</" as "<\\/", the same JSON


def html_json(bundle: dict[str, Any]) -> str:
    """The bundle as the text of an HTML ``<script>``: ``</`` written ``<\\/`` (same JSON).

    >>> html_json({"a": "</script>"})
    '{"a": "<\\\\/script>"}'
    """
    return json.dumps(bundle, ensure_ascii=False).replace("</", "<\\/")
