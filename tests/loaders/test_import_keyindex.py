"""Pass 1's key index (``loaders/stage.py``) is compact: the 10M-row import's memory.

At 10M rows the CLI's memory grew with the file being read: pass 1 kept one entry per
distinct key as Python objects (a dict of ``(line, row hash)`` tuples, ~250 bytes a key, then
a second dict of winners), ~1.1 GiB for the 3.6M keys of the 10M world's contacts file. The
index is now a :class:`~loaders.stage.KeyIndex` of machine words. These tests check its
decisions against the rule of the dict it replaced (later wins, exact duplicates skipped,
superseded rows named) and what pass 1 of a file of distinct keys costs per key.

No Neo4j: pass 1 writes nothing to a graph.
"""

from __future__ import annotations

import random
import tracemalloc
from pathlib import Path

from loaders.mapping import get_mapping
from loaders.read import RegistryFile
from loaders.stage import DUPLICATE, KEEP, KeyIndex, stage
from loaders.summary import RejectWriter
from tests.loaders.conftest import make_id, write


def _reference(
    rows: list[tuple[int, int, int]],
) -> tuple[list[int], dict[int, int], dict[int, int]]:
    """The rule of the dict index it replaced: flags, winners and superseded lines."""
    index: dict[int, tuple[int, int]] = {}
    flags, superseded = [], {}
    for key, line, content in rows:
        current = index.get(key)
        if current is not None and current[1] == content:
            flags.append(DUPLICATE)
            continue
        if current is not None:
            superseded[current[0]] = line
        index[key] = (line, content)
        flags.append(KEEP)
    return flags, {k: line for k, (line, _) in index.items()}, superseded


def test_key_index_decides_as_the_dict_it_replaced() -> None:
    """Later wins, an exact duplicate of the winner is skipped, the replaced line is named.

    Keys that share their low bits (one probe chain), negative keys, key 0 and growth from a
    tiny table are all exercised; the answers must equal the dict's, row by row.
    """
    rng = random.Random(15)  # noqa: S311 - test data
    pool = [0, -1, -(2**63), 2**63 - 1] + [rng.randrange(-(2**63), 2**63) for _ in range(3000)]
    pool += [(i << 20) | 5 for i in range(200)] + [-((i << 20) | 5) for i in range(200)]
    rows = []
    for line in range(2, 40_000):
        rows.append((rng.choice(pool), line, rng.randrange(3)))  # 3 contents: many duplicates
    flags, winners, superseded = _reference(rows)

    index = KeyIndex(capacity=4)
    got_flags, got_superseded = [], {}
    for key, line, content in rows:
        replaced = index.put(key, line, content)
        got_flags.append(DUPLICATE if replaced == -1 else KEEP)
        if replaced > 0:
            got_superseded[replaced] = line

    assert got_flags == flags
    assert got_superseded == superseded
    assert len(index) == len(winners)
    assert {key: index[key] for key in winners} == winners
    assert all(key in index for key in winners)
    assert 12345 not in index and 12345 not in winners


def _persons(folder: Path, name: str, ids: list[str]) -> Path:
    lines = ["id_number,name,gender"] + [f"{p},人甲,男" for p in ids]  # one key: exact duplicates
    return write(folder, name, "\n".join(lines) + "\n")


def _stage_peak(path: Path) -> tuple[int, int]:
    """Pass 1 of a persons file: (peak traced bytes during it, distinct keys it found)."""
    mapping = get_mapping("persons")
    rejects = RejectWriter(path.with_suffix(".rejects.csv"))
    tracemalloc.start()
    try:
        staged = stage(RegistryFile(path, mapping), mapping, rejects)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    try:
        assert staged.rejected == 0
        return peak, len(staged.winners)
    finally:
        staged.close()
        rejects.close()


def test_pass_one_holds_under_100_bytes_a_distinct_key(tmp_path: Path) -> None:
    """Pass 1's memory per distinct key: the same rows with one key, or all keys distinct.

    The two files have the same number of rows and the same validation work; what differs is
    the index (one entry, or one per row). The dict of tuples plus the winners dict cost ~300
    bytes a key at the end of pass 1; the table costs 24 bytes a slot, at most half full (48-96
    bytes a key while it doubles).
    """
    rng = random.Random(9)  # noqa: S311 - test data
    rows = 30_000
    ids = list(dict.fromkeys(make_id(rng) for _ in range(rows + 2000)))[:rows]
    assert len(ids) == rows
    _stage_peak(_persons(tmp_path, "warm.csv", ids[:100]))  # what a first stage() sets up once
    same_peak, same_keys = _stage_peak(_persons(tmp_path, "same.csv", [ids[0]] * rows))
    distinct_peak, distinct_keys = _stage_peak(_persons(tmp_path, "distinct.csv", ids))

    assert (same_keys, distinct_keys) == (1, rows)
    per_key = (distinct_peak - same_peak) / rows
    assert per_key < 100, f"pass 1 held {per_key:.0f} bytes a distinct key"


def test_stage_flags_and_winners_follow_later_wins(tmp_path: Path) -> None:
    """Through stage(): the later version wins its key, the same values again are skipped."""
    rng = random.Random(3)  # noqa: S311 - test data
    a, b = make_id(rng), make_id(rng)
    path = write(
        tmp_path,
        "persons.csv",
        "id_number,name,gender\n"
        f"{a},甲,男\n"  # line 2
        f"{b},乙,女\n"  # line 3
        f"{a},甲,男\n"  # line 4: exact duplicate of line 2 (the winner)
        f"{a},甲二,男\n"  # line 5: supersedes line 2
        f"{b},乙,女\n",  # line 6: exact duplicate of line 3
    )
    mapping = get_mapping("persons")
    rejects = RejectWriter(tmp_path / "rejects.csv")
    staged = stage(RegistryFile(path, mapping), mapping, rejects)
    try:
        flags = {line: flag for line, _, flag, *_ in staged.entries()}
        keys = {line: key for line, _, _, key, *_ in staged.entries()}
        assert flags == {2: KEEP, 3: KEEP, 4: DUPLICATE, 5: KEEP, 6: DUPLICATE}
        assert staged.winners[keys[2]] == 5 and staged.winners[keys[3]] == 3
        assert staged.superseded_by == {2: 5}
        assert len(staged.winners) == 2
    finally:
        staged.close()
        rejects.close()
