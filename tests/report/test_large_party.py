"""A report of a party with 5,000 records completes, and is complete: every record and every
measure is in the PDF (its time is a benchmark: bench/report.py, docs/benchmarks.md)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from graph_service import migrations
from graph_service.db import Database
from graph_service.propagation.runner import run_full
from graph_service.report import service
from graph_service.report.service import Format
from graph_service.security.signing import load_or_create
from graph_service.settings import Settings
from loaders.engine import LoadOptions, load_directory
from tests.report.big_party import BIG_DEBTOR, BIG_NAME, case_no, write_registries
from tests.report.conftest import pdf_text

pytestmark = pytest.mark.neo4j

RECORDS = 5000


@pytest.fixture(scope="module")
def big(session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Database:
    """One company with 5,000 dishonest-debtor records, loaded and propagated."""
    migrations.reset(session_db)
    folder = write_registries(tmp_path_factory.mktemp("big"), RECORDS)
    summary = load_directory(session_db, folder, LoadOptions(reject_dir=folder / "rejects"))
    assert summary is not None
    run_full(session_db)
    return session_db


def test_a_party_with_5000_records_gets_a_complete_report(
    big: Database, neo4j_settings: Settings, tmp_path: Path
) -> None:
    signer = load_or_create(tmp_path / "key.pem")
    made = service.make_report(big, signer, BIG_DEBTOR, date.today(), masked=False)

    pdf = service.render(made, Format.PDF)

    chapters = {c["key"]: c for c in made.data["chapters"]}
    listed = len(chapters["serious"]["active"]) + len(chapters["serious"]["inactive"])
    assert listed == RECORDS
    assert len(chapters["serious"]["inactive"]) == RECORDS // 10  # removed from the list
    assert len(made.data["annex"]["measures"]["items"]) == RECORDS - RECORDS // 10
    text = "".join(pdf_text(pdf, tmp_path)).replace("\n", " ")
    assert BIG_NAME in text
    missing = [i for i in range(RECORDS) if f"{case_no(i)}|{BIG_DEBTOR}" not in text]
    assert missing == [], f"{len(missing)} records missing from the PDF, e.g. {missing[:3]}"
