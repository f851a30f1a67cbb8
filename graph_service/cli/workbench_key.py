"""The investigator key of ``credit-graph run`` (``make run``), so the demo can be used at once.

Created once and kept in ``$CREDIT_GRAPH_HOME/workbench-investigator.key`` (mode 0600, like
the receipt key): every start prints the workbench's address and this key. A saved key the
graph no longer accepts (revoked, or the graph was reset) is replaced by a new one. Only the
key's SHA-256 is in the graph; the file is the one place the key itself is kept, on the
operator's machine, as ``credit-graph keys create`` would leave it to the operator.
"""

from __future__ import annotations

import os
import secrets
from pathlib import Path
from typing import Final

from graph_service.db import Database
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import KeyStore, create_key
from graph_service.security.roles import Role

FILE_NAME: Final = "workbench-investigator.key"


def demo_key(db: Database, home: Path) -> tuple[str, bool]:
    """The demo's investigator key and whether it was created now.

    The saved key while the graph still accepts it; otherwise a new key (named
    ``workbench-demo-<random>``: key names are unique forever), saved in place of the old one.
    """
    path = home / FILE_NAME
    saved = _read(path)
    if saved and KeyStore(db, cache_s=0).authenticate(saved) is not None:
        os.chmod(path, 0o600)  # keep it private even if someone loosened it
        return saved, False
    name = f"workbench-demo-{secrets.token_hex(4)}"
    with AuditLog(db) as audit:
        key, _ = create_key(audit, Actor.operator(), name, Role.INVESTIGATOR)
    write_private(path, key)
    return key, True


def write_private(path: Path, text: str) -> None:
    """Writes ``text`` to ``path`` with mode 0600 from the first byte (a temporary file renamed
    into place, so a reader never sees half a key)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(4)}")
    handle = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(handle, "w", encoding="utf-8") as out:
        out.write(text + "\n")
    os.replace(temporary, path)


def workbench_url(host: str, port: int) -> str:
    """Where a browser on this machine finds the workbench.

    >>> workbench_url("0.0.0.0", 8000), workbench_url("10.1.2.3", 8080)
    ('http://127.0.0.1:8000/', 'http://10.1.2.3:8080/')
    """
    shown = "127.0.0.1" if host in ("0.0.0.0", "::", "") else host  # noqa: S104 - a display rule
    return f"http://{shown}:{port}/"


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8").strip() or None
    except FileNotFoundError:
        return None
