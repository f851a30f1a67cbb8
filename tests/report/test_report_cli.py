"""``credit-graph report`` and ``credit-graph receipt verify`` on reports, as an operator runs
them: the files written, their verification, and a single changed character caught."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.security.audit_read import by_party
from tests.conftest import run_cli
from tests.graphql.conftest import HUABEI, ZHANG_WEI
from tests.report.conftest import pdf_text

pytestmark = pytest.mark.neo4j


@pytest.fixture(scope="module")
def written(world: Database, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """HUABEI's report written once by the CLI as PDF, HTML and JSON."""
    folder = tmp_path_factory.mktemp("reports")
    done = run_cli(
        "report",
        HUABEI,
        "--pdf",
        str(folder / "r.pdf"),
        "--html",
        str(folder / "r.html"),
        "--json",
        str(folder / "r.json"),
    )
    assert done.returncode == 0, done.stderr
    return folder


def test_cli_writes_the_report_files(written: Path, tmp_path: Path) -> None:
    text = "\n".join(pdf_text((written / "r.pdf").read_bytes(), tmp_path))

    assert "石家庄华北建设工程有限公司" in text and "(2021)冀01执456号" in text
    assert "石家庄华北建设工程有限公司" in (written / "r.html").read_text("utf-8")
    bundle = json.loads((written / "r.json").read_text("utf-8"))
    assert bundle["data"]["party"]["party_id"] == HUABEI


def test_cli_reports_are_audited_under_the_operator(written: Path, world: Database) -> None:
    number = json.loads((written / "r.json").read_text("utf-8"))["verification"]["report_number"]

    entries = [e for e in by_party(world, HUABEI) if e.payload.get("report_number") == number]
    assert sorted(e.payload["format"] for e in entries) == ["html", "json", "pdf"]
    assert all(e.actor.role == "operator" for e in entries)


@pytest.mark.parametrize("name", ["r.pdf", "r.html", "r.json"])
def test_receipt_verify_accepts_every_report_file(written: Path, name: str) -> None:
    done = run_cli("receipt", "verify", str(written / name))

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("report OK (signature and data)")


def test_the_verification_block_alone_verifies(written: Path, tmp_path: Path) -> None:
    block = json.loads((written / "r.json").read_text("utf-8"))["verification"]
    (tmp_path / "block.json").write_text(json.dumps(block, ensure_ascii=False), "utf-8")

    done = run_cli("receipt", "verify", str(tmp_path / "block.json"))

    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("report OK (signature)") and block["data_sha256"] in done.stdout


def _one_character_changed(text: str, old: str, new: str) -> str:
    assert len(old) == len(new) == 1 and text.count(old) >= 1
    at = text.index(old)
    return text[:at] + new + text[at + 1 :]


@pytest.mark.parametrize("part", ["data", "verification"])
def test_one_changed_character_fails_verification(written: Path, tmp_path: Path, part: str) -> None:
    bundle = json.loads((written / "r.json").read_text("utf-8"))
    if part == "data":  # a character of the party's name
        name = bundle["data"]["party"]["name"]
        bundle["data"]["party"]["name"] = _one_character_changed(name, "华", "平")
    else:  # the last hex digit of the signed digest
        digest = bundle["verification"]["data_sha256"]
        last = "0" if digest[-1] != "0" else "1"
        bundle["verification"]["data_sha256"] = digest[:-1] + last
    (tmp_path / "changed.json").write_text(json.dumps(bundle, ensure_ascii=False), "utf-8")

    done = run_cli("receipt", "verify", str(tmp_path / "changed.json"))

    assert done.returncode != 0
    assert "changed" in done.stderr


def test_a_changed_pdf_attachment_fails_verification(written: Path, tmp_path: Path) -> None:
    """The PDF's embedded data, re-embedded with one character changed, no longer verifies."""
    from graph_service.report.render import render_pdf

    bundle = json.loads((written / "r.json").read_text("utf-8"))
    bundle["data"]["report"]["as_of"] = _one_character_changed(
        bundle["data"]["report"]["as_of"], "2", "1"
    )
    (tmp_path / "forged.pdf").write_bytes(render_pdf(bundle))

    done = run_cli("receipt", "verify", str(tmp_path / "forged.pdf"))

    assert done.returncode != 0 and "does not match" in done.stderr


def test_masked_cli_report_hides_persons(world: Database, tmp_path: Path) -> None:
    done = run_cli("report", ZHANG_WEI, "--masked", "--pdf", str(tmp_path / "m.pdf"))

    assert done.returncode == 0, done.stderr
    text = "\n".join(pdf_text((tmp_path / "m.pdf").read_bytes(), tmp_path))
    assert "张伟" not in text and ZHANG_WEI not in text
    assert "张*" in text and "1301**********8350" in text
    assert "石家庄华北建设工程有限公司" in text  # companies are never masked
    assert run_cli("receipt", "verify", str(tmp_path / "m.pdf")).returncode == 0


@pytest.mark.parametrize(
    ("args", "says"),
    [
        ((HUABEI,), "--pdf FILE"),
        (("1301021972", "--pdf", "x.pdf"), "10 characters long"),
        ((HUABEI, "--as-of", "2026/01/01", "--pdf", "x.pdf"), "YYYY-MM-DD"),
    ],
)
def test_cli_bad_input_is_one_clear_line(world: Database, args: tuple[str, ...], says: str) -> None:
    done = run_cli("report", *args)

    assert done.returncode != 0
    assert says in done.stderr and "Traceback" not in done.stderr
