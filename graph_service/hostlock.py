"""One process of a host does a job: the one holding an exclusive ``flock`` on a file.

The decision snapshot's builder (``check/snapshot_build.py``), the audit mirror
(``security/audit_mirror.py``) and the page cache's warm-up (``propagation/catchup.py``) each
run once per host however many worker processes serve. A ``flock`` is released by the OS when
its holder dies, so a killed process never leaves a job without a taker; it is taken without
waiting, so the others simply do not do the job (or ask again later).
"""

from __future__ import annotations

import fcntl
from pathlib import Path
from typing import IO


def take(path: Path) -> IO[bytes] | None:
    """The file at ``path`` open and exclusively locked by this process, or None if another
    process holds it; its folder is made if needed (an ``OSError`` if it cannot be). Closing
    the file releases the lock.

    >>> import tempfile
    >>> folder = Path(tempfile.mkdtemp())
    >>> first = take(folder / "job.lock")
    >>> first is not None, take(folder / "job.lock")
    (True, None)
    >>> first.close()
    >>> again = take(folder / "job.lock"); again is not None
    True
    >>> again.close()
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    handle = path.open("ab")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.close()
        return None
    return handle
