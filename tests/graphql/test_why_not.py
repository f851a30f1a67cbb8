"""Why not (due process §5) as users ask it: ``GET /v1/parties/{id}/why-not``, GraphQL
``Party.whyNot`` and ``credit-graph explain`` over the sample registries, with the same answer
everywhere, audited, and every bad input refused in the app's one error shape.

As of 2026-11-26 (every date below is in the sample registries): 河北宏达物流's tax case was
repaired on 2024-01-10, so 陈静, its legal representative named in the case, has no R2
officer_ban; 永兴劳务's wage-arrears blacklisting expired on 2026-05-01, so it is reviewed (R3:
held 100% by a briber) rather than restricted in land supply.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from graph_service.analysis.ended_facts import KINDS
from graph_service.db import Database
from graph_service.gql.why_not_facts import WhyNotKind
from graph_service.security.audit_read import by_party
from graph_service.security.auth import API_KEY_HEADER
from tests.conftest import run_cli
from tests.graphql.conftest import Api

pytestmark = pytest.mark.neo4j

CHEN_JING = "130111197804120864"  # 陈静, legal representative of 宏达物流
HONGDA = "91130111WHGGB7XE3B"  # 河北宏达物流有限公司, tax case repaired 2024-01-10
YONGXING = "91130105W7MPX20P54"  # 石家庄永兴劳务派遣有限公司, blacklisting expired 2026-05-01
UNKNOWN = "91110000MA01ABCD0J"  # a valid USCC no registry names
AS_OF = "2026-11-26"


def why_not(
    api: Api, party: str, role: str | None = "investigator", **params: str
) -> httpx.Response:
    headers = {API_KEY_HEADER: api.keys[role]} if role else {}
    url = f"{api.url}/v1/parties/{party}/why-not"
    return api.client.get(url, params=params, headers=headers)


def test_a_repaired_case_is_why_the_named_person_is_not_banned(api: Api, samples: Database) -> None:
    response = why_not(api, CHEN_JING, context="officer_appointment", as_of=AS_OF)
    assert response.status_code == 200, response.text
    assert response.headers["Cache-Control"] == "no-store"
    body = response.json()
    assert (body["party_id"], body["context"], body["as_of"], body["decision"]) == (
        CHEN_JING, "officer_appointment", AS_OF, "allow",
    )  # fmt: skip
    (fact,) = body["facts"]
    assert (fact["kind"], fact["hops"], fact["party_id"]) == ("record_ended", 1, HONGDA)
    assert (fact["ended_by"], fact["ended_on"]) == ("repaired", "2024-01-10")
    assert fact["record"]["ref"] == "SW-130111-2022-003"
    assert [(g["measure"], g["rule"], g["decision"]) for g in fact["would_give"]] == [
        ("officer_ban", "R2", "deny")
    ]
    assert {(p["of"], p["src_file"], p["src_row"]) for p in fact["provenance"]} >= {
        ("update", "record_updates.csv", 2)
    }
    assert "was repaired on 2024-01-10" in fact["explanation"]


def test_an_expired_blacklisting_is_why_a_company_is_only_reviewed(
    api: Api, samples: Database
) -> None:
    body = why_not(api, YONGXING, context="land_supply", as_of=AS_OF).json()
    assert body["decision"] == "review"
    facts = [(f["kind"], f["hops"], f.get("ended_by"), f["ended_on"]) for f in body["facts"]]
    assert facts == [("record_ended", 0, "expired", "2026-05-01")]
    assert body["facts"][0]["would_give"][0]["decision"] == "restrict"


def test_every_answer_is_audited(api: Api, samples: Database) -> None:
    why_not(api, CHEN_JING, context="officer_appointment", as_of=AS_OF)
    entries = [e for e in by_party(samples, CHEN_JING) if e.kind == "why_not"]
    assert entries and entries[0].actor.role == "investigator"
    assert entries[0].payload["context"] == "officer_appointment"
    assert entries[0].payload["facts"] == ["record_ended"]


def test_a_day_before_any_data_is_an_answer_without_facts(api: Api, samples: Database) -> None:
    response = why_not(api, CHEN_JING, context="officer_appointment", as_of="1990-01-01")
    assert response.status_code == 200
    assert (response.json()["decision"], response.json()["facts"]) == ("allow", [])


def test_an_unknown_party_is_404(api: Api, samples: Database) -> None:
    response = why_not(api, UNKNOWN, context="bidding")
    assert response.status_code == 404
    assert response.json()["error"] == "not_found"
    assert UNKNOWN not in response.text


@pytest.mark.parametrize(
    ("party", "params", "field", "secret"),
    [
        ("91130102RG8E64XKKX", {"context": "bidding"}, "party_id", "91130102RG8E64XKKX"),
        ("1301021972", {"context": "bidding"}, "party_id", "1301021972"),
        (CHEN_JING, {"context": "lottery_zz"}, "context", "lottery_zz"),
        (CHEN_JING, {}, "context", None),
        (CHEN_JING, {"context": "bidding", "as_of": "2026-13-01"}, "as_of", "2026-13-01"),
        (CHEN_JING, {"context": "bidding", "as_of": "26/11/2026"}, "as_of", "26/11/2026"),
        (CHEN_JING, {"context": "bidding", "as_of": "2999-01-01"}, "as_of", "2999-01-01"),
        (CHEN_JING, {"context": "bidding", "as_of": "1899-12-31"}, "as_of", "1899-12-31"),
    ],
)
def test_bad_input_is_422_naming_the_field_never_the_value(
    api: Api, samples: Database, party: str, params: dict[str, str], field: str, secret: str | None
) -> None:
    response = why_not(api, party, **params)
    assert response.status_code == 422, response.text
    body = response.json()
    assert (body["error"], body["fields"]) == ("invalid_input", [field])
    assert body["message"].startswith(f"{field}: ")
    if secret is not None:
        assert secret not in response.text


@pytest.mark.parametrize(
    ("role", "status", "code"), [("checker", 403, "forbidden"), (None, 401, "unauthenticated")]
)
def test_only_investigators_and_admins_may_ask(
    api: Api, samples: Database, role: str | None, status: int, code: str
) -> None:
    response = why_not(api, CHEN_JING, role, context="bidding")
    assert (response.status_code, response.json()["error"]) == (status, code)
    assert why_not(api, CHEN_JING, "admin", context="bidding").status_code == 200


# --- GraphQL ----------------------------------------------------------------------------------


def test_the_graphql_kinds_are_the_answers() -> None:
    assert [kind.value for kind in WhyNotKind] == list(KINDS)


QUERY = """
query ($id: String!, $context: String!, $asOf: Date) {
  party(id: $id) { ... on Party { whyNot(context: $context, asOf: $asOf) {
    partyId context asOf decision catalogVersion
    facts { kind explanation hops partyId endedOn endedBy record { ref kind start }
            relationship { type } sumPct holders { partyId }
            wouldGive { measure rule decision path { partyId relation } }
            provenance { of srcFile srcRow } } } } }
}"""


def test_graphql_gives_the_same_answer(api: Api, samples: Database) -> None:
    variables = {"id": CHEN_JING, "context": "officer_appointment", "asOf": AS_OF}
    answer = api.data(QUERY, variables)["party"]["whyNot"]
    rest = why_not(api, CHEN_JING, context="officer_appointment", as_of=AS_OF).json()
    assert (answer["decision"], answer["asOf"], answer["catalogVersion"]) == (
        rest["decision"], AS_OF, rest["catalog_version"],
    )  # fmt: skip
    (fact,) = answer["facts"]
    (expected,) = rest["facts"]
    assert (fact["kind"], fact["endedBy"], fact["endedOn"], fact["hops"], fact["partyId"]) == (
        "RECORD_ENDED", "repaired", "2024-01-10", 1, HONGDA,
    )  # fmt: skip
    assert fact["explanation"] == expected["explanation"]
    assert fact["wouldGive"][0]["path"] == [
        {"partyId": HONGDA, "relation": None},
        {"partyId": CHEN_JING, "relation": "NAMED_IN"},
    ]
    assert {"of": "update", "srcFile": "record_updates.csv", "srcRow": 2} in fact["provenance"]


@pytest.mark.parametrize(
    ("variables", "argument", "secret"),
    [
        ({"context": "lottery_zz"}, "context", "lottery_zz"),
        ({"context": "bidding", "asOf": "2999-01-01"}, "asOf", "2999-01-01"),
        ({"context": "bidding", "asOf": "1899-12-31"}, "asOf", "1899-12-31"),
    ],
)
def test_graphql_refuses_bad_arguments_by_name(
    api: Api, samples: Database, variables: dict[str, str], argument: str, secret: str
) -> None:
    body = api.post(QUERY, {"id": CHEN_JING, **variables}).json()
    (error,) = body["errors"]
    assert error["extensions"]["code"] == "invalid_input"
    assert error["message"].startswith(f"{argument}: ")
    assert secret not in json.dumps(body)


# --- CLI --------------------------------------------------------------------------------------


def test_the_cli_explains_with_the_same_answer(api: Api, samples: Database) -> None:
    done = run_cli(
        "explain", CHEN_JING, "--context", "officer_appointment", "--as-of", AS_OF, "--json"
    )
    assert done.returncode == 0, done.stderr
    printed: dict[str, Any] = json.loads(done.stdout)
    rest = why_not(api, CHEN_JING, context="officer_appointment", as_of=AS_OF).json()
    assert printed == rest
    text = run_cli("explain", CHEN_JING, "--context", "officer_appointment", "--as-of", AS_OF)
    assert text.stdout.splitlines()[0] == f"{CHEN_JING}\tofficer_appointment\t{AS_OF}\tallow"
    assert text.stdout.splitlines()[1].startswith("- record_ended: ")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["91130102RG8E64XKKX", "--context", "bidding"], "party_id: fails the USCC check digit"),
        ([CHEN_JING, "--context", "lottery_zz"], "context: not a known context"),
        ([CHEN_JING, "--context", "bidding", "--as-of", "2999-01-01"], "as_of: must be a day"),
        ([UNKNOWN, "--context", "bidding"], "no party with this id in the graph"),
    ],
)
def test_the_cli_refuses_bad_input_in_one_line(
    samples: Database, args: list[str], message: str
) -> None:
    done = run_cli("explain", *args)
    assert done.returncode == 1
    assert done.stderr.startswith(f"error: {message}") and "Traceback" not in done.stderr
    assert "lottery_zz" not in done.stderr
