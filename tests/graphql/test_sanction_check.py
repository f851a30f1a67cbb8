"""``sanctionCheck``: the REST check (``POST /v1/checks``) as a GraphQL query, over real HTTP.

Both edges run one pipeline (graph_service/check/service.py), so the tests compare them answer
for answer, and check what only GraphQL adds: typed input errors, the role gate that admits
``checker`` keys to this one field, and the signed answer a client can verify offline.
"""

from __future__ import annotations

import json
import re
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from graph_service.db import Database
from graph_service.gql import context as gql_context
from graph_service.security.appender import HEAD_NAME
from graph_service.security.audit_read import by_check
from graph_service.security.auth import API_KEY_HEADER
from tests.conftest import run_cli
from tests.graphql.conftest import HUABEI, RUIFENG, ZHANG_WEI, Api

pytestmark = pytest.mark.neo4j

BAD_USCC = "91130102RG8E64XKKX"  # fails the check character
UNKNOWN_PERSON = "130102199001011237"  # valid, but in no registry
HUABEI_FULL_WIDTH = " ９１１３０１０２ｒｇ８ｅ６４ｘｋｋｒ "
PURPOSE = "tender 2026-118"

CHECK = """
query Check($context: String!, $parties: [String!]!, $asOf: String, $purpose: String) {
  sanctionCheck(context: $context, parties: $parties, asOf: $asOf, purpose: $purpose) {
    __typename
    ... on SanctionCheck {
      checkId context asOf catalogVersion runId snapshotAt
      results {
        partyId found name kind decision error
        measures {
          measure origin rule basis until decision contested objectionId
          record { ref kind authority start end }
          path { partyId name relation stakePct }
        }
      }
      receipt { keyId algorithm signature }
      signedAnswer
    }
    ... on InvalidInputError { argument message }
  }
}
"""


def variables(**overrides: Any) -> dict[str, Any]:
    """A valid check, with ``overrides`` (None removes a variable)."""
    given = {"context": "government_procurement", "parties": [HUABEI], "purpose": PURPOSE}
    given.update(overrides)
    return {k: v for k, v in given.items() if v is not None}


def graphql_check(api: Api, role: str | None = "checker", **overrides: Any) -> dict[str, Any]:
    """``sanctionCheck``'s value (fails the test on a GraphQL error)."""
    response = api.post(CHECK, variables(**overrides), role=role)
    assert response.status_code == 200, response.text
    body = response.json()
    assert "errors" not in body, body["errors"]
    return body["data"]["sanctionCheck"]  # type: ignore[no-any-return]


def rest_check(api: Api, role: str = "checker", **overrides: Any) -> dict[str, Any]:
    """``POST /v1/checks``'s answer for the same request."""
    body = variables(**overrides)
    if "asOf" in body:
        body["as_of"] = body.pop("asOf")
    headers = {API_KEY_HEADER: api.keys[role]}
    response = api.client.post(f"{api.url}/v1/checks", json=body, headers=headers)
    assert response.status_code == 200, response.text
    return response.json()  # type: ignore[no-any-return]


def snake_case(value: Any) -> Any:
    """GraphQL's field names as REST writes them (``checkId`` → ``check_id``)."""
    if isinstance(value, dict):
        return {re.sub("([A-Z])", r"_\1", k).lower(): snake_case(v) for k, v in value.items()}
    if isinstance(value, list):
        return [snake_case(v) for v in value]
    return value


def without_identity(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without what differs between two checks: its id, its receipt and when the
    snapshot it read was last confirmed current (that moves every second)."""
    return {k: v for k, v in answer.items() if k not in {"check_id", "receipt", "snapshot_at"}}


# --- the same answer as REST -----------------------------------------------------------------

PARTIES = [ZHANG_WEI, BAD_USCC, HUABEI_FULL_WIDTH, UNKNOWN_PERSON, RUIFENG, ZHANG_WEI]


@pytest.mark.parametrize("role", ["checker", "investigator"])
@pytest.mark.parametrize("as_of", [None, "2025-06-30"])
def test_graphql_answers_exactly_as_rest(
    api: Api, samples: Database, role: str, as_of: str | None
) -> None:
    rest = rest_check(api, role, parties=PARTIES, asOf=as_of)
    check = graphql_check(api, role, parties=PARTIES, asOf=as_of)
    assert check["__typename"] == "SanctionCheck"
    fields = snake_case({k: v for k, v in check.items() if k not in {"__typename", "signedAnswer"}})
    assert without_identity(fields) == without_identity(rest)
    assert without_identity(check["signedAnswer"]) == without_identity(rest)
    assert check["signedAnswer"]["check_id"] == check["checkId"] != rest["check_id"]
    assert snake_case(check["receipt"]) == check["signedAnswer"]["receipt"]


def test_results_in_request_order_with_invalid_and_unknown_parties(
    api: Api, samples: Database
) -> None:
    results = graphql_check(api, "investigator", parties=PARTIES)["results"]
    # as sent (trimmed, as REST's model does), duplicates included
    assert [r["partyId"] for r in results] == [p.strip() for p in PARTIES]
    zhang, bad, huabei, unknown = results[:4]
    assert (zhang["found"], zhang["kind"], zhang["name"]) == (True, "person", "张伟")
    assert zhang["measures"][0]["measure"] == "high_consumption_ban"
    assert bad | {} == {
        "partyId": BAD_USCC, "found": False, "name": None, "kind": None,
        "decision": None, "measures": [], "error": "invalid_identifier",
    }  # fmt: skip
    assert (huabei["found"], huabei["decision"]) == (True, "deny")  # normalised before lookup
    assert (unknown["found"], unknown["decision"], unknown["error"]) == (False, "allow", None)


def test_checkers_see_persons_masked_as_in_rest(api: Api, samples: Database) -> None:
    masked = graphql_check(api, "checker", parties=[ZHANG_WEI])["results"][0]
    assert masked["partyId"] == ZHANG_WEI  # the checker's own input, echoed
    assert masked["name"] == "张*"
    company, person = masked["measures"][0]["path"]
    assert company["name"] == "石家庄华北建设工程有限公司"  # companies are not masked
    assert (person["partyId"], person["name"]) == ("1301**********8350", "张*")
    whole = graphql_check(api, "investigator", parties=[ZHANG_WEI])["results"][0]
    assert whole["measures"][0]["path"][1] | {} == {
        "partyId": ZHANG_WEI, "name": "张伟", "relation": "LEGAL_REP_OF", "stakePct": None,
    }  # fmt: skip


# --- access ----------------------------------------------------------------------------------


def test_a_check_needs_a_key(api: Api, samples: Database) -> None:
    for key in (None, "cgk_0123456789ab_" + "A" * 43):
        response = api.post(CHECK, variables(), role=None, key=key)
        assert response.status_code == 401
        body = response.json()
        assert body["data"] is None
        assert body["errors"][0]["extensions"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "query",
    [
        f'{{ party(id: "{HUABEI}") {{ __typename }} }}',
        f'{{ parties(ids: ["{HUABEI}"]) {{ __typename }} }}',
        '{ case(caseNo: "(2021)冀01执456号") { __typename } }',
        '{ searchParties(text: "华北") { __typename } }',
        '{ measureChanges(since: "2026-01-01T00:00:00Z") { __typename } }',
    ],
)
def test_checkers_may_run_checks_and_nothing_else(api: Api, samples: Database, query: str) -> None:
    api.db.query_counts.clear()
    response = api.post(query, role="checker")
    assert response.status_code == 403
    assert response.json()["errors"][0]["extensions"]["code"] == "forbidden"
    assert [n for n in api.db.query_counts if n.split("/")[0] not in {"keys", "audit"}] == []
    assert graphql_check(api, "checker")["__typename"] == "SanctionCheck"


def test_admins_may_check(api: Api, samples: Database) -> None:
    assert graphql_check(api, "admin")["results"][0]["decision"] == "deny"


def test_one_check_per_request(api: Api, samples: Database) -> None:
    two = f"""{{
      a: sanctionCheck(context: "bidding", parties: ["{HUABEI}"], purpose: "x") {{ __typename }}
      b: sanctionCheck(context: "bidding", parties: ["{HUABEI}"], purpose: "x") {{
        __typename ... on InvalidInputError {{ argument }} }}
    }}"""
    data = api.data(two)
    assert data["a"]["__typename"] == "SanctionCheck"
    assert data["b"] == {"__typename": "InvalidInputError", "argument": "sanctionCheck"}


# --- invalid input ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "argument", "field"),
    [
        ({"context": "lottery"}, "context", "context"),
        ({"parties": []}, "parties", "parties"),
        ({"parties": [HUABEI] * 1001}, "parties", "parties"),
        ({"parties": [HUABEI, "  "]}, "parties", "parties[1]"),
        ({"asOf": "2026-13-01"}, "asOf", "as_of"),
        ({"asOf": "20260101"}, "asOf", "as_of"),
        ({"asOf": "26-11-2026"}, "asOf", "as_of"),
        ({"purpose": None}, "purpose", "purpose"),
        ({"purpose": "   "}, "purpose", "purpose"),
    ],
)
def test_bad_input_is_a_typed_error_naming_the_argument(
    api: Api, samples: Database, change: dict[str, Any], argument: str, field: str
) -> None:
    api.db.query_counts.clear()
    error = graphql_check(api, **change)
    assert error["__typename"] == "InvalidInputError"
    assert error["argument"] == argument
    assert error["message"].startswith(f"{field}: ")  # REST's 422 message, word for word
    assert "audit" not in {n.split("/")[0] for n in api.db.query_counts}  # nothing checked


def test_unknown_context_lists_the_known_ones(api: Api, samples: Database) -> None:
    assert "government_procurement" in graphql_check(api, context="lottery")["message"]


# --- audit, stored check, feedback, receipt --------------------------------------------------


def test_a_graphql_check_is_audited_and_stored_like_a_rest_check(
    api: Api, samples: Database
) -> None:
    check = graphql_check(api, "checker", parties=[ZHANG_WEI, BAD_USCC])
    [entry] = by_check(samples, check["checkId"])
    assert entry.kind == "check" and entry.actor.role == "checker"
    assert entry.payload["purpose"] == PURPOSE
    assert entry.payload["parties"] == [ZHANG_WEI, BAD_USCC]
    decisions = [(d["party_id"], d["decision"], d["error"]) for d in entry.payload["decisions"]]
    assert decisions == [(ZHANG_WEI, "allow", None), (BAD_USCC, None, "invalid_identifier")]
    assert entry.payload["receipt"] == check["signedAnswer"]["receipt"]
    investigator = {API_KEY_HEADER: api.keys["investigator"]}
    view = api.client.get(f"{api.url}/v1/checks/{check['checkId']}", headers=investigator)
    assert view.status_code == 200
    assert view.json()["response"] == check["signedAnswer"]  # as the checker was answered
    assert view.json()["purpose"] == PURPOSE


def test_feedback_on_a_graphql_check(api: Api, samples: Database) -> None:
    check = graphql_check(api, "checker", parties=[ZHANG_WEI])
    url = f"{api.url}/v1/checks/{check['checkId']}/feedback"
    feedback = {"party_id": ZHANG_WEI, "applied": ["high_consumption_ban"]}
    headers = {API_KEY_HEADER: api.keys["checker"]}
    assert api.client.post(url, json=feedback, headers=headers).status_code == 201
    refused = api.client.post(url, json={**feedback, "applied": ["bidding_ban"]}, headers=headers)
    assert refused.status_code == 409  # a measure the check did not return
    kinds = [e.kind for e in by_check(samples, check["checkId"])]
    assert kinds == ["check", "feedback"]


def test_no_graphql_entry_besides_the_check_entry(api: Api, samples: Database) -> None:
    before = samples.read("audit/head", name=HEAD_NAME)[0]["seq"]
    graphql_check(api, "checker")
    assert samples.read("audit/head", name=HEAD_NAME)[0]["seq"] == before + 1


def test_the_signed_answer_verifies_with_the_cli(
    api: Api, samples: Database, tmp_path: Path
) -> None:
    public = tmp_path / "receipt-key.json"
    public.write_text(httpx.get(f"{api.url}/v1/receipt-key").text, encoding="utf-8")
    saved = tmp_path / "answer.json"
    answer = graphql_check(api, "checker", parties=[ZHANG_WEI, HUABEI])["signedAnswer"]
    saved.write_text(json.dumps(answer, ensure_ascii=False, indent=2), encoding="utf-8")
    done = run_cli("receipt", "verify", str(saved), "--public-key", str(public))
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith(f"receipt OK: check {answer['check_id']}")
    saved.write_text(saved.read_text("utf-8").replace("张*", "李*", 1), "utf-8")
    assert run_cli("receipt", "verify", str(saved), "--public-key", str(public)).returncode == 1


def test_no_answer_when_the_audit_log_cannot_be_written(api: Api, samples: Database) -> None:
    graphql_check(api)  # entries exist, the head is at N
    head = samples.read("audit/head", name=HEAD_NAME)[0]["seq"]
    # Someone took the next seq: the append now violates the seq constraint in Neo4j.
    samples.write("meta/test_plant_audit_entry", seq=head + 1)
    try:
        response = api.post(CHECK, variables(), role="checker")
    finally:
        samples.write("meta/test_delete_audit_entry", seq=head + 1)
    assert response.status_code == 503
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"]["code"] == "audit_unavailable"
    assert "signature" not in response.text


def test_fields_inside_root_fragments_are_audited_too(api: Api, samples: Database) -> None:
    # Only sanctionCheck writes its own entry; a party read hidden in a root-level fragment
    # must still get the operation's ``graphql`` entry.
    before = samples.read("audit/head", name=HEAD_NAME)[0]["seq"]
    query = f'{{ ... on Query {{ party(id: "{HUABEI}") {{ __typename }} }} }}'
    assert api.data(query)["party"]["__typename"] == "Company"
    deadline = time.monotonic() + 10  # the graphql entry is committed just after the answer
    while samples.read("audit/head", name=HEAD_NAME)[0]["seq"] == before:
        assert time.monotonic() < deadline, "no audit entry for the fragment's party read"
        time.sleep(0.05)
    assert samples.read("audit/head", name=HEAD_NAME)[0]["seq"] == before + 1


def test_the_check_is_of_the_graphql_requests_day(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Arrange: a request whose day is yesterday (one begun before midnight: its records and
    # activeOn defaults are of that day), the clock's today
    yesterday = date.today() - timedelta(days=1)

    class RequestDay(date):
        @classmethod
        def today(cls) -> date:  # type: ignore[override]  # a plain date: the driver's type
            return yesterday

    monkeypatch.setattr(gql_context, "date", RequestDay)
    # Act / Assert: the check of that request is of its day, not the clock's (reviewer's R4)
    assert graphql_check(api)["asOf"] == yesterday.isoformat()
