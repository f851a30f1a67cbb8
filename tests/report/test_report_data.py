"""What a report says, on the sample world: the as-of day, a person's ties, the picture, and
masking for readers who may not see personal data (as for the checker role)."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import pytest

from graph_service.db import Database
from graph_service.identifiers import is_valid_id_number
from graph_service.report import service
from graph_service.report.render import render_html
from graph_service.report.service import Report
from graph_service.report.verification import verify_report
from graph_service.security.signing import ReceiptSigner, load_or_create
from tests.graphql.conftest import HUABEI, LIU_YANG, ZHANG_WEI

pytestmark = pytest.mark.neo4j

DEBT_KEY = f"dishonest_debtor:(2021)冀01执456号|{HUABEI}"


@pytest.fixture(scope="module")
def signer(tmp_path_factory: pytest.TempPathFactory) -> ReceiptSigner:
    return load_or_create(tmp_path_factory.mktemp("key") / "receipt.pem")


def _report(
    db: Database,
    signer: ReceiptSigner,
    party: str,
    as_of: date | None = None,
    masked: bool = False,
) -> Report:
    return service.make_report(db, signer, party, as_of or date.today(), masked)


def _records(report: Report, state: str) -> list[dict[str, object]]:
    return [r for c in report.data["chapters"] for r in c[state]]


def test_a_past_day_judges_records_and_computes_measures_for_that_day(
    world: Database, signer: ReceiptSigner
) -> None:
    today = _report(world, signer, HUABEI)
    before = _report(world, signer, HUABEI, as_of=date(2021, 5, 31))  # the day before it started

    assert DEBT_KEY in [r["key"] for r in _records(today, "active")]
    assert DEBT_KEY in [r["key"] for r in _records(before, "inactive")]
    assert before.data["annex"]["measures"]["source"] == "computed"
    assert "dishonest_debtor" in {m["measure"] for m in today.data["annex"]["measures"]["items"]}
    assert "dishonest_debtor" not in {
        m["measure"] for m in before.data["annex"]["measures"]["items"]
    }
    bidding = {d["context"]: d["decision"] for d in before.data["summary"]["decisions"]}
    assert bidding["bidding"] != "deny"


def test_a_company_report_names_its_related_parties(world: Database, signer: ReceiptSigner) -> None:
    related = _report(world, signer, HUABEI).data["related"]

    assert [c["party"]["party_id"] for c in related["controllers"]] == [LIU_YANG]
    assert related["legal_representative"]["items"][0]["party"]["name"] == "张伟"
    holders = {t["party"]["party_id"]: t["stake_pct"] for t in related["shareholders"]["items"]}
    assert holders == {LIU_YANG: "70", ZHANG_WEI: "30"}  # numbers as text: nothing signed floats
    assert related["branches"]["total"] == 1


def test_a_person_report_names_the_companies_of_the_person(
    world: Database, signer: ReceiptSigner
) -> None:
    made = _report(world, signer, ZHANG_WEI)

    related = made.data["related"]
    assert [t["party"]["party_id"] for t in related["represents"]["items"]] == [HUABEI]
    assert {t["role"] for t in related["positions"]["items"]} >= {"chair"}
    assert "controllers" not in related
    assert made.data["party"]["kind"] == "person"


def test_the_network_picture_draws_the_related_parties(
    world: Database, signer: ReceiptSigner
) -> None:
    html = render_html(_report(world, signer, HUABEI).bundle)

    picture = html[html.index("<svg") : html.index("</svg>")]
    assert "刘洋" in picture and "张伟" in picture and "实际控制人" in picture
    assert "<rect" in picture and "<circle" in picture  # companies and persons
    assert 'stroke-dasharray="5 4"' in picture  # the shared contact, an inferred link


def test_a_masked_report_hides_persons_everywhere(world: Database, signer: ReceiptSigner) -> None:
    person = _report(world, signer, ZHANG_WEI, masked=True)
    company = _report(world, signer, HUABEI, masked=True)

    assert person.data["party"]["name"] == "张*"
    assert person.data["party"]["party_id"] == "1301**********8350"
    assert person.data["party"]["fields"]["birth_date"] == "****-**-**"
    assert company.data["party"]["fields"]["legal_rep_name"]["name"] == "张*"
    assert company.data["party"]["name"] == "石家庄华北建设工程有限公司"  # never masked
    for made in (person, company):
        text = json.dumps(made.bundle, ensure_ascii=False)
        assert "张伟" not in text and "刘洋" not in text
        ids = re.findall(r"(?<![0-9A-Z])\d{17}[\dX](?![0-9A-Z])", text)
        assert [i for i in ids if is_valid_id_number(i)] == []
        assert made.data["report"]["masked"] is True
        assert verify_report(made.bundle, signer.public_key).startswith("report OK")


def test_a_masked_report_masks_the_persons_of_explanations(
    world: Database, signer: ReceiptSigner
) -> None:
    made = _report(world, signer, ZHANG_WEI, masked=True)

    derived = [m for m in made.data["annex"]["measures"]["items"] if m["origin"] == "derived"]
    assert derived
    assert all("张*" in m["explanation"] and "张伟" not in m["explanation"] for m in derived)


def test_the_html_file_is_self_contained(
    world: Database, signer: ReceiptSigner, tmp_path: Path
) -> None:
    html = render_html(_report(world, signer, HUABEI).bundle)

    assert not re.search(r"""(src|href)=["']?https?://""", html)  # no CDN, no network
    assert "@page" in html and "counter(pages)" in html
