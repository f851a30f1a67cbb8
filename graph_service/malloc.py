"""glibc malloc's mmap threshold, fixed for the serving processes (a worker of
``credit-graph serve`` and the audit mirror's process it starts).

Why: CPython hands every block above 512 bytes to the C library's ``malloc``. glibc serves a
block of 128 KiB or more with its own ``mmap`` and unmaps it when it is freed, but it also
*raises* that threshold to the size of any such block freed (up to 32 MiB), so that after
the first large answer has come and gone, later ones of that size are carved from the heap
arenas instead — and a heap's freed middle is not given back to the system. A 1,000-party
check's answer, its canonical JSON, its signature's input and its audit entry are such
blocks (hundreds of KiB each, several at once, in whichever thread answered), so the
service's resident memory climbed with the number of big checks answered (issue 14:
docs/benchmarks.md). Setting the threshold explicitly turns the raising off (glibc's
documented rule for ``M_MMAP_THRESHOLD``): blocks of 128 KiB or more are mapped and unmapped
on their own again, a few microseconds each, which is nothing beside such a check.
"""

from __future__ import annotations

import ctypes
from typing import Final

#: ``mallopt``'s parameter number of the mmap threshold (glibc's ``malloc.h``).
M_MMAP_THRESHOLD: Final = -3
#: The threshold kept: glibc's own starting value, 128 KiB.
MMAP_THRESHOLD_BYTES: Final = 128 * 1024


def fix_mmap_threshold() -> bool:
    """Sets glibc's mmap threshold to :data:`MMAP_THRESHOLD_BYTES` for this process, which
    also stops glibc from raising it later; False where the C library has no ``mallopt``
    (not glibc) or refuses it: nothing changes there.

    >>> fix_mmap_threshold() in (True, False)
    True
    """
    try:
        mallopt = ctypes.CDLL(None).mallopt  # the C library this process already uses
    except (OSError, AttributeError):
        return False
    mallopt.argtypes, mallopt.restype = [ctypes.c_int, ctypes.c_int], ctypes.c_int
    return bool(mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD_BYTES))
