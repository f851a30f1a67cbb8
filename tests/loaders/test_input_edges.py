"""Hostile and ambiguous files at the loader's edge, as an operator or an attacker hands them in.

NUL and other control bytes, files that decode both as UTF-8 and GB18030, symlinks and other
non-regular files, formula cells in reject files, truncated gzip. Each test builds its files
in ``tmp_path`` and goes through the real CLI or the engine (with the real Neo4j where rows are
written); whatever happens, every row read is accounted for.
"""

from __future__ import annotations

import csv
import gzip
import json
import os
import random
import re
import subprocess
from collections.abc import Callable
from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.errors import LoadRefused
from loaders.read import SAMPLE_BYTES
from tests.conftest import run_cli
from tests.loaders.conftest import load, make_uscc, node, nodes, rejects, write

HEADER = "uscc,name,status\n"
RNG_SEED = 12
#: Characters a spreadsheet reads as the start of a formula (OWASP "CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _usccs(count: int) -> list[str]:
    rng = random.Random(RNG_SEED)  # noqa: S311 - test data, not secrets
    return [make_uscc(rng) for _ in range(count)]


def _one_line_error(done: subprocess.CompletedProcess[str], *needles: str) -> str:
    """The CLI's single ``error:`` line, checked to hold every needle."""
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), done.stderr
    for needle in needles:
        assert needle in lines[0], lines[0]
    return lines[0]


def _summary(done: subprocess.CompletedProcess[str]) -> dict[str, object]:
    assert done.returncode == 0, done.stdout + done.stderr
    summary: dict[str, object] = json.loads(done.stdout)
    assert summary["read"] == summary["loaded"] + summary["rejected"] + summary["duplicates"]  # type: ignore[operator]
    return summary


def _count_nodes(db: Database) -> int:
    return int(db.read("meta/count_nodes")[0]["nodes"])


# --- NUL and other control bytes -------------------------------------------------------------


def test_nul_byte_after_the_first_64_kib_rejects_its_row(db: Database, tmp_path: Path) -> None:
    usccs = _usccs(2002)
    filler = "".join(f"{u},Company {i:05d},active\n" for i, u in enumerate(usccs[:2000]))
    text = HEADER + filler + f"{usccs[2000]},Evil\x00Corp,active\n{usccs[2001]},Last,active\n"
    assert text.index("\x00") > SAMPLE_BYTES
    path = write(tmp_path, "companies.csv", text)

    summary = load(db, "companies", path)

    assert (summary.read, summary.loaded, summary.rejected) == (2002, 2001, 1)
    (row,) = rejects(Path("companies.rejects.csv"))
    assert row["line"] == "2002"
    assert "name" in row["reason"] and "NUL" in row["reason"]
    assert row["raw"] == f"{usccs[2000]},Evil\x00Corp,active"  # exactly as in the file
    assert not [n for n in nodes(db, "Company") if "\x00" in str(n.get("name"))]
    assert node(db, "Company", "uscc", usccs[2001])["name"] == "Last"


def test_nul_byte_in_the_first_rows_rejects_only_that_row(tmp_path: Path) -> None:
    first, second = _usccs(2)
    text = HEADER + f"{first},Evil\x00Corp,active\n{second},Fine,active\n"
    path = write(tmp_path, "companies.csv", text)
    reject_file = tmp_path / "rejects.csv"

    done = run_cli("load", "companies", str(path), "--dry-run", "--json",
                   "--reject-file", str(reject_file))  # fmt: skip

    summary = _summary(done)
    assert (summary["read"], summary["loaded"], summary["rejected"]) == (2, 1, 1)
    (row,) = rejects(reject_file)
    assert row["line"] == "2" and "NUL" in row["reason"]


@pytest.mark.parametrize("char", ["\x00", "\x07", "\x1f"])
def test_control_character_escaped_in_a_jsonl_value_rejects_its_row(
    tmp_path: Path, char: str
) -> None:
    first, second = _usccs(2)
    lines = [{"uscc": first, "name": f"Evil{char}Corp"}, {"uscc": second, "name": "Fine"}]
    path = write(tmp_path, "companies.jsonl", "".join(json.dumps(o) + "\n" for o in lines))

    summary = load(None, "companies", path, dry_run=True)

    assert (summary.read, summary.loaded, summary.rejected) == (2, 1, 1)
    (row,) = rejects(Path("companies.rejects.csv"))
    assert row["line"] == "1" and f"U+{ord(char):04X}" in row["reason"]


# --- ambiguous encodings ---------------------------------------------------------------------


def test_short_gb18030_file_that_is_also_valid_utf8_is_read_as_gb18030(
    db: Database, tmp_path: Path
) -> None:
    (uscc,) = _usccs(1)
    path = write(tmp_path, "companies.csv", HEADER + f"{uscc},隆垄拢,active\n", "gb18030")
    assert path.read_bytes().decode("utf-8").endswith(",¡¢£,active\n")  # the trap

    summary = _summary(run_cli("load", "companies", str(path), "--json", "--no-propagate"))

    assert summary["encoding"] == "gb18030"
    assert node(db, "Company", "uscc", uscc)["name"] == "隆垄拢"


def test_utf8_latin_name_that_is_also_valid_gb18030_is_read_as_utf8(tmp_path: Path) -> None:
    (uscc,) = _usccs(1)
    path = write(tmp_path, "companies.csv", HEADER + f"{uscc},Société Générale,active\n")
    assert path.read_bytes().decode("gb18030")  # also decodes, as Soci茅t茅 G茅n茅rale

    summary = _summary(run_cli("load", "companies", str(path), "--dry-run", "--json",
                               "--reject-file", str(tmp_path / "rejects.csv")))  # fmt: skip

    assert (summary["encoding"], summary["loaded"]) == ("utf-8", 1)


def test_ambiguous_encoding_that_cannot_be_told_is_refused_naming_the_option(
    db: Database, tmp_path: Path
) -> None:
    (uscc,) = _usccs(1)
    path = write(tmp_path, "companies.csv", HEADER + f"{uscc},Газпром,active\n")
    assert path.read_bytes().decode("gb18030")  # as 袚邪蟹锌褉芯屑: both readings are possible

    refused = run_cli("load", "companies", str(path), "--no-propagate")

    _one_line_error(refused, "companies.csv", "--encoding")
    assert _count_nodes(db) == 0
    forced = run_cli("load", "companies", str(path), "--encoding", "utf-8", "--json",
                     "--no-propagate")  # fmt: skip
    assert _summary(forced)["encoding"] == "utf-8"
    assert node(db, "Company", "uscc", uscc)["name"] == "Газпром"


def test_big5_file_that_decodes_as_garbled_gb18030_is_refused(tmp_path: Path) -> None:
    (uscc,) = _usccs(1)
    text = HEADER + f"{uscc},台灣積體電路製造股份有限公司,active\n"
    path = write(tmp_path, "companies.csv", text, "big5")
    assert path.read_bytes().decode("gb18030") != text  # decodes, but into other characters

    done = run_cli("load", "companies", str(path), "--dry-run")

    _one_line_error(done, "companies.csv", "--encoding")


def test_encoding_option_forces_the_reading_and_unknown_encodings_are_one_line(
    tmp_path: Path,
) -> None:
    (uscc,) = _usccs(1)
    path = write(tmp_path, "companies.csv", HEADER + f"{uscc},隆垄拢,active\n", "gb18030")
    args = ("load-dir", str(tmp_path), "--dry-run", "--json", "--reject-dir", str(tmp_path))

    (summary,) = json.loads(run_cli(*args, "--encoding", "GBK").stdout)

    assert (summary["encoding"], summary["loaded"]) == ("gb18030", 1)
    _one_line_error(run_cli("load", "companies", str(path), "--encoding", "latin-1"),
                    "--encoding", "utf-8", "gb18030")  # fmt: skip


# --- symlinks and other non-regular files ----------------------------------------------------

SECRET = "root:x:0:0:root:/root:/bin/bash"


def test_symlinked_registry_file_is_refused_without_echoing_its_content(tmp_path: Path) -> None:
    secret = tmp_path / "elsewhere" / "passwd"
    secret.parent.mkdir()
    secret.write_text(SECRET + "\ndaemon:x:1:1::/usr/sbin:/usr/sbin/nologin\n")
    folder = tmp_path / "drop"
    folder.mkdir()
    (folder / "companies.csv").symlink_to(secret)

    single = run_cli("load", "companies", str(folder / "companies.csv"), "--dry-run")
    whole = run_cli("load-dir", str(folder), "--dry-run", "--json")

    _one_line_error(single, "companies.csv", "symbolic link")
    assert whole.returncode == 1
    (summary,) = json.loads(whole.stdout)
    assert summary["status"] == "refused" and "symbolic link" in str(summary["error"])
    for done in (single, whole):
        assert "root:x" not in done.stdout + done.stderr


def test_refused_header_is_not_echoed(tmp_path: Path) -> None:
    path = write(tmp_path, "companies.csv", SECRET + "\nsecond:line\n")

    done = run_cli("load", "companies", str(path), "--dry-run")

    _one_line_error(done, "companies.csv", "required column uscc")
    assert "root:x" not in done.stdout + done.stderr


def _fifo(path: Path) -> None:
    os.mkfifo(path)


def _directory(path: Path) -> None:
    path.mkdir()


@pytest.mark.parametrize("make", [_fifo, _directory], ids=["fifo", "directory"])
def test_non_regular_file_named_like_a_registry_is_refused(
    tmp_path: Path, make: Callable[[Path], None]
) -> None:
    folder = tmp_path / "drop"
    folder.mkdir()
    make(folder / "companies.csv")

    # A FIFO opened for reading would wait for a writer forever: the timeout catches that.
    single = run_cli("load", "companies", str(folder / "companies.csv"), "--dry-run", timeout=60)
    whole = run_cli("load-dir", str(folder), "--dry-run", "--json", timeout=60)

    _one_line_error(single, "companies.csv", "not a regular file")
    assert whole.returncode == 1
    (summary,) = json.loads(whole.stdout)
    assert summary["status"] == "refused" and "not a regular file" in str(summary["error"])


def test_reject_file_is_never_written_through_a_planted_link(tmp_path: Path) -> None:
    victim = tmp_path / "victim.txt"
    victim.write_text("keep me\n")
    (tmp_path / "companies.rejects.csv").symlink_to(victim)  # the default reject file's name
    path = write(tmp_path, "companies.csv", HEADER + "91130102RG8E64XKKX,Bad check digit,active\n")

    with pytest.raises(LoadRefused, match="is a symbolic link"):
        load(None, "companies", path, dry_run=True)
    named = run_cli("load", "companies", str(path), "--dry-run",
                    "--reject-file", str(tmp_path / "companies.rejects.csv"))  # fmt: skip

    _one_line_error(named, "reject file", "symbolic link")
    assert victim.read_text() == "keep me\n"


# --- formula cells in the reject file --------------------------------------------------------


def test_reject_file_neutralises_formula_cells_and_keeps_the_raw_row_recoverable(
    tmp_path: Path,
) -> None:
    hostile = [
        "=cmd|' /C calc'!A0,Evil,active",
        "+86 311 8666 1234,Evil,active",
        "-1+2,Evil,active",
        "@SUM(A1:A9),Evil,active",
        "\t=1+1,Evil,active",
        "'=1+1,Evil,active",  # already quoted once: the rule must stay reversible
    ]
    path = write(tmp_path, "companies.csv", HEADER + "".join(line + "\n" for line in hostile))
    reject_file = tmp_path / "rejects.csv"

    summary = _summary(run_cli("load", "companies", str(path), "--dry-run", "--json",
                               "--reject-file", str(reject_file)))  # fmt: skip

    assert summary["rejected"] == len(hostile)
    with reject_file.open(encoding="utf-8-sig", newline="") as f:
        cells = [cell for row in csv.reader(f) for cell in row]
    assert not [c for c in cells if c.startswith(FORMULA_STARTS)]
    rows = rejects(reject_file)
    assert [r["raw"] for r in rows] == ["'" + line for line in hostile]  # drop one ' to recover


# --- truncated gzip --------------------------------------------------------------------------


def test_truncated_small_gzip_reports_the_rows_read_before_the_cut(
    db: Database, tmp_path: Path
) -> None:
    body = HEADER + "".join(f"{u},公司{i},active\n" for i, u in enumerate(_usccs(300)))
    data = gzip.compress(body.encode())
    assert len(body) < SAMPLE_BYTES  # small: the cut is inside the first sample
    path = tmp_path / "companies.csv.gz"
    path.write_bytes(data[: len(data) * 2 // 3])

    done = run_cli("load", "companies", str(path), "--no-propagate")

    line = _one_line_error(done, "companies.csv.gz", "truncated")
    found = re.search(r"after (\d+) data rows", line)
    assert found is not None and 0 < int(found.group(1)) < 300, line
    assert _count_nodes(db) == 0
