"""A worker of `credit-graph serve` fixes glibc's mmap threshold before its app starts
(graph_service/malloc.py): after a big block has been freed, blocks of a
1,000-party answer's size are still mapped on their own and given back when freed, instead
of being carved from heaps that keep their pages (issue 14, the RSS over 1,000-party checks).

Each case runs in a fresh interpreter: glibc's threshold is per process and only ever rises
on its own, so this test's process, which has freed big blocks already, could not show it.
"""

from __future__ import annotations

import platform
import subprocess
import sys

import pytest

#: Frees an 8 MiB block (which raises glibc's dynamic threshold to 8 MiB unless it was fixed),
#: then allocates 400 kB (a 1,000-party answer's JSON is about that): prints how many more
#: blocks glibc holds mapped on their own (``mallinfo2().hblks``) — 1 if it was mapped.
PROBE = """
import ctypes
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena ordblks smblks hblks hblkhd usmblks"
                                               " fsmblks uordblks fordblks keepcost").split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
{setup}
big = bytearray(8 << 20)
del big
before = libc.mallinfo2().hblks
answer = bytearray(400_000)
print(libc.mallinfo2().hblks - before)
"""

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="glibc's malloc only",
)


def _mapped_after_a_big_free(setup: str) -> int:
    done = subprocess.run(
        [sys.executable, "-c", PROBE.format(setup=setup)],
        capture_output=True, text=True, check=True, timeout=60,
    )  # fmt: skip
    return int(done.stdout.strip())


def test_without_the_fix_glibc_stops_mapping_answer_sized_blocks() -> None:
    # What the fix is for: the probe itself shows the raised threshold (else it proves nothing).
    assert _mapped_after_a_big_free("") == 0


def test_a_worker_app_maps_answer_sized_blocks_on_their_own() -> None:
    setup = "from graph_service.cli.serve import create_worker_app\ncreate_worker_app()"
    assert _mapped_after_a_big_free(setup) == 1
