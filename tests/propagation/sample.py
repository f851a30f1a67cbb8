"""The sample registries, loaded kind by kind, for the propagation tests that need a loaded
world and then one load more (the dishonest debtors, which :data:`EARLY` leaves out)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from graph_service.db import Database
from loaders.engine import LoadOptions, load_file
from tests.conftest import ROOT

FIXTURES = ROOT / "tests" / "fixtures" / "registries"
TODAY = date(2026, 11, 26)
#: The sample registries but the dishonest debtors, which the tests load last.
EARLY = ["companies", "persons", "shareholdings", "officers", "branches", "officials",
         "official_records", "cases", "case_parties", "case_officials", "interventions",
         "tax_violations", "admin_penalties", "blacklists", "red_list", "contacts"]  # fmt: skip


def sample_file(kind: str) -> Path:
    """The sample registry file of ``kind`` (the contacts come as JSON lines, the rest as CSV)."""
    return FIXTURES / (f"{kind}.jsonl" if kind == "contacts" else f"{kind}.csv")


def load(db: Database, kind: str, tmp: Path) -> str:
    """Loads the sample file of ``kind``; its load id."""
    options = LoadOptions(reject_file=tmp / f"{kind}.rejects.csv")
    return str(load_file(db, kind, sample_file(kind), options).load_id)
