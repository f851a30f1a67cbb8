"""Registry files of one company with many dishonest-debtor records (one per enforcement
case), for the report of a party with 5,000 records (tests/report/test_large_party.py and
bench/report.py). Written as a court would publish them, loaded by the real loaders."""

from __future__ import annotations

import csv
from pathlib import Path

from graph_service.synthetic.ids import make_uscc

#: The company every record is about: 石家庄巨债建材有限公司 (a made-up name).
BIG_DEBTOR = make_uscc("91", "130102", "BD5K00Q1")
BIG_NAME = "石家庄巨债建材有限公司"
COURT = "石家庄市长安区人民法院"


def case_no(i: int) -> str:
    """The i-th enforcement case number, e.g. ``(2023)冀0102执7号``."""
    return f"({2019 + i % 5})冀0102执{i + 1}号"


def write_registries(folder: Path, records: int) -> Path:
    """``companies.csv`` with the debtor and ``dishonest_debtors.csv`` with ``records`` rows
    (one in ten removed from the list, so the report has inactive records too)."""
    folder.mkdir(parents=True, exist_ok=True)
    with (folder / "companies.csv").open("w", encoding="utf-8", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(["uscc", "name", "org_kind", "status", "district_code", "address"])
        rows.writerow([BIG_DEBTOR, BIG_NAME, "enterprise", "active", "130102", "石家庄市长安区"])
    with (folder / "dishonest_debtors.csv").open("w", encoding="utf-8", newline="") as out:
        rows = csv.writer(out)
        rows.writerow(["case_no", "court_name", "debtor_id", "debtor_name", "obligation",
                       "performance", "published_on", "removed_on"])  # fmt: skip
        for i in range(records):
            published = f"{2019 + i % 5}-{1 + i % 12:02d}-01"
            removed = f"2025-{1 + i % 12:02d}-15" if i % 10 == 0 else ""
            obligation = f"支付货款{1000 + i}元"
            rows.writerow([case_no(i), COURT, BIG_DEBTOR, BIG_NAME, obligation,
                           "unperformed", published, removed])  # fmt: skip
    return folder
