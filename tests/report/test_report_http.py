"""``GET /v1/reports/{party_id}`` as a client sees it: the PDF's text and fonts, HTML and JSON,
roles, bad input in the service's one error shape, and the audit entry."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from graph_service.db import Database
from graph_service.identifiers import uscc_check_char
from graph_service.report.verification import read_document, verify_report
from graph_service.security.audit_read import by_party
from graph_service.security.signing import load_public_key
from tests.graphql.conftest import HUABEI, TODAY, ZHANG_WEI, Api
from tests.report.conftest import get_report, pdf_fonts, pdf_text

pytestmark = pytest.mark.neo4j

HUABEI_NAME = "石家庄华北建设工程有限公司"
DEBT_RECORD = "(2021)冀01执456号|91130102RG8E64XKKR"
UNKNOWN_USCC = "91130102MA0000000X"  # shape of a USCC; its check character is fixed below


def _public_key(api: Api) -> Ed25519PublicKey:
    """The service's public key as any verifier fetches it."""
    return load_public_key(json.dumps(api.client.get(f"{api.url}/v1/receipt-key").json()))


def test_pdf_holds_the_party_its_records_and_measures(
    api: Api, world: Database, tmp_path: Path
) -> None:
    response = get_report(api, HUABEI)

    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == "application/pdf"
    number = re.search(
        r'filename="(CGR\d{8}-[0-9A-F]{10})\.pdf"', response.headers["content-disposition"]
    )
    assert number is not None
    pages = pdf_text(response.content, tmp_path)
    text = "\n".join(pages)
    assert HUABEI_NAME in text and HUABEI in text
    assert DEBT_RECORD in text  # the record, under 四、严重失信主体名单信息
    assert "严重失信主体名单信息" in text and "失信被执行人" in text
    assert "dishonest_debtor" in text and "附件一" in text  # the measure, in the annex
    assert "线索，不是决定" in text  # peripheral risk is marked a lead
    assert all(number.group(1) in page for page in pages), "report number on every page"
    assert all(date.today().isoformat() in page for page in pages), "as-of date on every page"


def test_pdf_embeds_a_noto_cjk_font(api: Api, world: Database, tmp_path: Path) -> None:
    fonts = pdf_fonts(get_report(api, HUABEI).content, tmp_path)

    cjk = [line for line in fonts.splitlines() if "Noto-Sans-CJK" in line]
    assert cjk, fonts
    assert all(line.split()[-5] == "yes" for line in cjk), fonts  # the "emb" column


def test_html_is_the_same_report_and_carries_its_data(api: Api, world: Database) -> None:
    response = get_report(api, ZHANG_WEI, format="html")

    assert response.status_code == 200
    assert response.headers["content-type"].startswith("text/html")
    assert "张伟" in response.text and "high_consumption_ban" in response.text
    bundle = read_document(response.content, "report.html")
    assert bundle["data"]["party"]["name"] == "张伟"
    assert verify_report(bundle, _public_key(api)).startswith("report OK (signature and data)")


def test_json_is_the_data_and_its_signed_digest(api: Api, world: Database) -> None:
    bundle = get_report(api, ZHANG_WEI, format="json", as_of=TODAY.isoformat()).json()

    said = verify_report(bundle, _public_key(api))
    assert said.startswith("report OK (signature and data)")
    measures = bundle["data"]["annex"]["measures"]["items"]
    derived = [m for m in measures if m["measure"] == "high_consumption_ban"]
    assert derived and derived[0]["rule"] == "R1"
    assert "LEGAL_REP_OF" in derived[0]["explanation"] and HUABEI_NAME in derived[0]["explanation"]
    assert bundle["data"]["annex"]["measures"]["source"] == "stored"


def test_a_report_is_audited_with_its_number(api: Api, world: Database) -> None:
    response = get_report(api, HUABEI, format="json")
    number = response.json()["verification"]["report_number"]

    entries = [e for e in by_party(world, HUABEI) if e.kind == "report"]
    assert any(e.payload["report_number"] == number for e in entries)
    entry = next(e for e in entries if e.payload["report_number"] == number)
    assert entry.actor.role == "investigator" and entry.payload["format"] == "json"
    assert entry.payload["data_sha256"] == response.json()["verification"]["data_sha256"]


@pytest.mark.parametrize(("role", "status"), [("checker", 403), (None, 401)])
def test_only_investigators_and_admins_get_reports(
    api: Api, world: Database, role: str | None, status: int
) -> None:
    response = get_report(api, HUABEI, role=role)

    assert response.status_code == status
    assert set(response.json()) >= {"error", "message"}


def test_admins_get_reports(api: Api, world: Database) -> None:
    assert get_report(api, HUABEI, role="admin", format="json").status_code == 200


def test_unknown_party_is_404(api: Api, world: Database) -> None:
    unknown = UNKNOWN_USCC[:17] + str(uscc_check_char(UNKNOWN_USCC[:17]))
    response = get_report(api, unknown)

    assert response.status_code == 404
    # issue #12: an error never repeats a value sent, the path's party id included
    assert response.json()["error"] == "not_found" and unknown not in response.json()["message"]


TOMORROW = "the day after the test's today"  # replaced when the test runs


@pytest.mark.parametrize(
    ("party", "params", "field", "says"),
    [
        ("1301021972", {}, "party_id", "10 characters long"),
        ("91130102RG8E64XKKX", {}, "party_id", "check digit"),
        (HUABEI, {"as_of": "2026-13-01"}, "as_of", "date"),
        (HUABEI, {"as_of": "1700000000"}, "as_of", "YYYY-MM-DD"),
        (HUABEI, {"as_of": TOMORROW}, "as_of", "after today"),
        (HUABEI, {"format": "docx"}, "format", "pdf"),
    ],
)
def test_bad_input_is_422_naming_the_field(
    api: Api, world: Database, party: str, params: dict[str, str], field: str, says: str
) -> None:
    # tomorrow is worked out when the test runs: a day taken at collection is today after midnight
    tomorrow = (date.today() + timedelta(days=1)).isoformat()
    params = {k: tomorrow if v == TOMORROW else v for k, v in params.items()}
    response = get_report(api, party, **params)

    assert response.status_code == 422
    body = response.json()
    assert set(body) == {"error", "message", "fields"}  # the shape every 422 of the API has
    assert body["error"] == "invalid_input" and body["fields"] == [field]
    assert says in body["message"]
