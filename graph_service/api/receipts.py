"""``GET /v1/receipt-key``: the public key that verifies check receipts.

Public on purpose (no API key): anyone holding a receipt must be able to verify it, and a
public key reveals nothing. Verifiers should keep the key they fetched; a receipt names the
key it was signed with (``key_id``).
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool

from graph_service.security.state import security_of

router = APIRouter(prefix="/v1", tags=["checks"])


@router.get("/receipt-key")
async def receipt_key(request: Request) -> dict[str, str]:
    """The receipt signing key's id, algorithm, and public key (raw base64 and PEM)."""
    security = security_of(request)
    # The first use reads (or creates) the key file: keep file I/O off the event loop.
    signer = await run_in_threadpool(lambda: security.signer)
    return signer.public_key_json()
