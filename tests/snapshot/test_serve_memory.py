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
#: then allocates eight 400 kB blocks (a 1,000-party answer's JSON is about that) and prints
#: how many of them glibc mapped on their own, how much the heap grew to hold them, and how
#: much free space the heap held before. Each block is asked about itself (the IS_MMAPPED bit
#: of the size word glibc keeps just before the pointer it returned). glibc rightly carves a
#: block from free heap space it already holds, whatever the threshold — how much such space
#: import-time garbage leaves depends on the hash seed — so a block not mapped is not wrong
#: unless the heap *grew* for it; the tests read the three figures together.
PROBE = """
import ctypes
class Info(ctypes.Structure):
    _fields_ = [(n, ctypes.c_size_t) for n in ("arena ordblks smblks hblks hblkhd usmblks"
                                               " fsmblks uordblks fordblks keepcost").split()]
libc = ctypes.CDLL(None)
libc.mallinfo2.restype = Info
{setup}
def mapped(block):
    address = ctypes.addressof((ctypes.c_char * len(block)).from_buffer(block))
    size_word = ctypes.c_size_t.from_address(address - ctypes.sizeof(ctypes.c_size_t))
    return bool(size_word.value & 2)
big = bytearray(8 << 20)
del big
before = libc.mallinfo2()
answers = [bytearray(ANSWER) for _ in range(ANSWERS)]
after = libc.mallinfo2()
print(sum(map(mapped, answers)), after.arena - before.arena, before.fordblks)
"""
ANSWER, ANSWERS = 400_000, 8

pytestmark = pytest.mark.skipif(
    platform.system() != "Linux" or platform.libc_ver()[0] != "glibc",
    reason="glibc's malloc only",
)


def _after_a_big_free(setup: str) -> tuple[int, int, int]:
    """(blocks mapped on their own, bytes the heap grew, free bytes it held before) in a fresh
    interpreter after ``setup``."""
    probe = (
        PROBE.format(setup=setup).replace("ANSWERS", str(ANSWERS)).replace("ANSWER", str(ANSWER))
    )
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, check=True, timeout=60
    )
    mapped, grown, free = map(int, done.stdout.split())
    return mapped, grown, free


def test_without_the_fix_glibc_stops_mapping_answer_sized_blocks() -> None:
    # What the fix is for: the probe itself shows the raised threshold (else it proves nothing):
    # no block mapped, and the heap grew for every block its free space could not hold.
    mapped, grown, free = _after_a_big_free("")
    assert mapped == 0
    assert grown + free >= ANSWER * ANSWERS


def test_a_worker_app_maps_answer_sized_blocks_on_their_own() -> None:
    setup = "from graph_service.cli.serve import create_worker_app\ncreate_worker_app()"
    mapped, grown, free = _after_a_big_free(setup)
    # The heap did not grow for any answer: every block its free space could not hold was mapped.
    assert grown < ANSWER
    assert mapped >= ANSWERS - free // ANSWER
