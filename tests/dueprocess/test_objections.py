"""Objections (due process §3) through HTTP and GraphQL: filing (due on the catalog's
deadline), one open objection per party and record, the contested mark on every measure
resting on the record — direct and derived — in checks (REST and GraphQL), GraphQL measures
and reports, the lists for operators, and the decisions: upheld (a revocation effective today,
with source objection, ending the measures; why-not says objection_upheld) and dismissed (the
mark ends)."""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any

from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.security.audit_read import stored_entries
from graph_service.security.roles import Role
from tests.dueprocess.conftest import BLACKLISTING, HUABEI, HUANG, LISTING, ZHANG

Keys = dict[Role, dict[str, str]]


def _file(client: TestClient, key: dict[str, str], ref: str = LISTING) -> Any:
    body = {"record_ref": ref, "grounds": "案件已执行完毕", "contact": "0311-86661234"}
    return client.post("/v1/objections", json=body, headers=key)


def _decide(client: TestClient, key: dict[str, str], objection_id: str, **body: Any) -> Any:
    body = {"reason": "经核查", **body}
    return client.post(f"/v1/objections/{objection_id}/decision", json=body, headers=key)


def _measures(client: TestClient, key: dict[str, str], party: str, context: str) -> Any:
    body = {"context": context, "parties": [party], "purpose": "test"}
    answer = client.post("/v1/checks", json=body, headers=key)
    assert answer.status_code == 200, answer.text
    return answer.json()["results"][0]


def _gql(client: TestClient, key: dict[str, str], query: str, **variables: Any) -> Any:
    answer = client.post("/graphql", json={"query": query, "variables": variables}, headers=key)
    assert answer.status_code == 200 and "errors" not in answer.json(), answer.text
    return answer.json()["data"]


PARTY_MEASURES = """query ($id: String!) { party(id: $id) { ... on Party {
  measures { measure rule recordRef contested objectionId } } } }"""
WHY_NOT = """query ($id: String!) { party(id: $id) { ... on Party {
  whyNot(context: "high_consumption") { facts { kind objectionId endedBy } } } } }"""
CHECK = """query ($p: [String!]!) { sanctionCheck(context: "high_consumption", parties: $p,
  purpose: "test") { ... on SanctionCheck { results { decision
  measures { measure contested objectionId } } } } }"""


def test_an_open_objection_marks_every_measure_resting_on_the_record(
    client: TestClient, keys: Keys
) -> None:
    filed = _file(client, keys[Role.INVESTIGATOR])
    assert filed.status_code == 201, filed.text
    objection = filed.json()
    assert objection["state"] == "open"
    assert objection["due_on"] == (date.today() + timedelta(days=7)).isoformat()  # catalog deadline
    oid = objection["objection_id"]
    admin = keys[Role.ADMIN]

    own = _measures(client, admin, HUABEI, "bidding")  # direct, on the listed company
    derived = _measures(client, admin, ZHANG, "high_consumption")  # R1, one hop away
    other = _measures(client, admin, HUANG, "bidding")  # a blacklisting nobody objected to

    assert own["decision"] == "deny" and derived["decision"] == "deny"  # it still restricts
    listing = [m for m in own["measures"] if m["record"]["ref"] == LISTING]
    assert listing and all((m["contested"], m["objection_id"]) == (True, oid) for m in listing)
    assert {(m["rule"], m["contested"], m["objection_id"]) for m in derived["measures"]} == {
        ("R1", True, oid)
    }
    assert [(m["contested"], m["objection_id"]) for m in other["measures"]] == [(False, None)]
    penalty = [m for m in own["measures"] if m["record"]["ref"] != LISTING]
    assert penalty and not any(m["contested"] for m in penalty)

    data = _gql(client, admin, PARTY_MEASURES, id=ZHANG)
    assert {(m["rule"], m["contested"], m["objectionId"])
            for m in data["party"]["measures"]} == {("R1", True, oid)}  # fmt: skip
    checked = _gql(client, keys[Role.INVESTIGATOR], CHECK, p=[ZHANG])["sanctionCheck"]
    assert {(m["contested"], m["objectionId"]) for m in checked["results"][0]["measures"]} == {
        (True, oid)
    }
    report = client.get(f"/v1/reports/{ZHANG}?format=json", headers=admin)
    assert report.status_code == 200, report.text
    items = report.json()["data"]["annex"]["measures"]["items"]
    assert items and all((m["contested"], m["objection_id"]) == (True, oid) for m in items)


def test_a_second_open_objection_of_the_party_on_the_record_is_409(
    client: TestClient, keys: Keys
) -> None:
    assert _file(client, keys[Role.INVESTIGATOR]).status_code == 201
    again = _file(client, keys[Role.ADMIN])
    assert (again.status_code, again.json()["error"]) == (409, "conflict")
    assert _file(client, keys[Role.ADMIN], BLACKLISTING).status_code == 201  # another record


def test_bad_input_is_refused_naming_the_field(client: TestClient, keys: Keys) -> None:
    admin = keys[Role.ADMIN]
    unknown = _file(client, admin, "NO-SUCH-RECORD")
    assert (unknown.status_code, unknown.json()["error"]) == (404, "unknown_record")
    no_contact = client.post("/v1/objections", json={"record_ref": LISTING, "grounds": "x"},
                             headers=admin)  # fmt: skip
    assert no_contact.status_code == 422 and no_contact.json()["fields"] == ["contact"]
    bad_id = _decide(client, admin, "42", decision="dismissed")
    assert bad_id.status_code == 422 and bad_id.json()["fields"] == ["objection_id"]
    oid = _file(client, admin).json()["objection_id"]
    no_action = _decide(client, admin, oid, decision="upheld")
    assert no_action.status_code == 422 and no_action.json()["fields"] == ["upheld.action"]
    stray_action = _decide(client, admin, oid, decision="dismissed", action="revoked")
    assert stray_action.status_code == 422
    assert stray_action.json()["fields"] == ["dismissed.action"]
    state = client.get("/v1/objections?state=pending", headers=admin)
    assert state.status_code == 422 and state.json()["fields"] == ["state"]
    assert _file(client, keys[Role.CHECKER]).status_code == 403
    assert _decide(client, keys[Role.INVESTIGATOR], oid, decision="dismissed").status_code == 403


def test_upheld_revokes_the_record_today_and_ends_the_measures(
    client: TestClient, keys: Keys, world: Database
) -> None:
    admin = keys[Role.ADMIN]
    oid = _file(client, keys[Role.INVESTIGATOR]).json()["objection_id"]

    decided = _decide(client, admin, oid, decision="upheld", action="revoked")

    assert decided.status_code == 200, decided.text
    assert (decided.json()["state"], decided.json()["action"]) == ("upheld", "revoked")
    assert decided.json()["propagation"]["lost"] >= 3  # the listing and R1's two measures
    assert _measures(client, admin, ZHANG, "high_consumption")["decision"] == "allow"
    (record,) = [r["record"] for r in world.read_plain("dueprocess/records_by_ref", ref=LISTING)]
    assert record["status"] == "revoked" and record["voided_on"] == date.today().isoformat()
    assert [u["source"] for u in record["updates"]] == ["objection"]
    why = client.get(f"/v1/parties/{ZHANG}/why-not?context=high_consumption", headers=admin)
    assert why.status_code == 200, why.text
    (fact,) = [f for f in why.json()["facts"] if f["record"]["ref"] == LISTING]
    assert (fact["kind"], fact["objection_id"], fact["ended_by"]) == (
        "objection_upheld", oid, "revoked")  # fmt: skip
    data = _gql(client, admin, WHY_NOT, id=ZHANG)["party"]["whyNot"]["facts"]
    assert {"kind": "OBJECTION_UPHELD", "objectionId": oid, "endedBy": "revoked"} in data
    again = _decide(client, admin, oid, decision="dismissed")
    assert (again.status_code, again.json()["error"]) == (409, "closed")
    listed = client.get("/v1/objections?state=closed", headers=admin).json()["objections"]
    assert [o["objection_id"] for o in listed] == [oid]
    kinds = [e.kind for e, _ in stored_entries(world) if e.kind.startswith("objection_")]
    assert kinds == ["objection_filed", "objection_decided"]


def test_dismissed_ends_the_mark_and_nothing_else(client: TestClient, keys: Keys) -> None:
    admin = keys[Role.ADMIN]
    oid = _file(client, keys[Role.INVESTIGATOR]).json()["objection_id"]
    decided = _decide(client, admin, oid, decision="dismissed")
    assert decided.status_code == 200 and decided.json()["state"] == "dismissed"
    result = _measures(client, admin, ZHANG, "high_consumption")
    assert result["decision"] == "deny"
    assert {(m["contested"], m["objection_id"]) for m in result["measures"]} == {(False, None)}
    assert _file(client, keys[Role.INVESTIGATOR]).status_code == 201  # may object again


def test_overdue_objections_are_listed_for_operators(
    client: TestClient, keys: Keys, world: Database
) -> None:
    admin = keys[Role.ADMIN]
    late = _file(client, admin).json()["objection_id"]
    fresh = _file(client, admin, BLACKLISTING).json()["objection_id"]
    past = (date.today() - timedelta(days=1)).isoformat()
    world.write("dueprocess/test_set_due_on", objection_id=late, due_on=past)

    def listed(state: str) -> list[str]:
        found = client.get(f"/v1/objections?state={state}", headers=keys[Role.INVESTIGATOR])
        assert found.status_code == 200, found.text
        return [o["objection_id"] for o in found.json()["objections"]]

    assert listed("overdue") == [late]
    assert listed("open") == [late, fresh]  # the soonest due first
    assert listed("closed") == []
