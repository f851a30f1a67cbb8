"""Repair applications (due process §2) through HTTP: filing, the refusals (court listing,
too early, unknown record, malformed), roles, approval ending the derived measures in the same
request, the change log's reason, a decision on a closed application, and the audit log."""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

from fastapi.testclient import TestClient

from graph_service.analysis.activity import add_months
from graph_service.db import Database
from graph_service.security.audit_read import stored_entries
from graph_service.security.roles import Role
from tests.dueprocess.conftest import (
    BLACKLISTING,
    COURT,
    DECIDED_ON,
    HUANG,
    LISTING,
    PENALTY,
)

Keys = dict[Role, dict[str, str]]
UNKNOWN_ID = "00000000-0000-4000-8000-000000000000"
CHANGES = """query ($p: String!) { measureChanges(since: "2000-01-01T00:00:00Z", party: $p,
  change: LOST) { ... on MeasureChangeConnection { nodes { measure endedBy endedOn endedSource }
} } }"""


def _file(client: TestClient, key: dict[str, str], ref: str, **more: Any) -> Any:
    body = {"record_ref": ref, "commitment": "本人承诺依法诚信经营", "evidence": ["整改报告-1"],
            **more}  # fmt: skip
    return client.post("/v1/repairs", json=body, headers=key)


def _decide(client: TestClient, key: dict[str, str], repair_id: str, decision: str) -> Any:
    body = {"decision": decision, "reason": "材料齐全"}
    return client.post(f"/v1/repairs/{repair_id}/decision", json=body, headers=key)


def _check(client: TestClient, key: dict[str, str], party: str, context: str) -> dict[str, Any]:
    body = {"context": context, "parties": [party], "purpose": "test"}
    answer = client.post("/v1/checks", json=body, headers=key)
    assert answer.status_code == 200, answer.text
    result: dict[str, Any] = answer.json()["results"][0]
    return result


def test_a_court_listing_is_not_repairable_here_and_names_the_court(
    client: TestClient, keys: Keys
) -> None:
    answer = _file(client, keys[Role.INVESTIGATOR], LISTING)
    assert answer.status_code == 422
    assert answer.json()["error"] == "not_repairable_here"
    assert answer.json()["court"] == COURT


def test_too_early_names_the_first_day_an_application_is_possible(
    client: TestClient, keys: Keys
) -> None:
    answer = _file(client, keys[Role.INVESTIGATOR], PENALTY)
    assert answer.status_code == 409
    assert answer.json()["error"] == "too_early"
    assert answer.json()["earliest_on"] == add_months(DECIDED_ON, 3).isoformat()


def test_a_record_ref_that_names_no_record_is_404(client: TestClient, keys: Keys) -> None:
    answer = _file(client, keys[Role.INVESTIGATOR], "NO-SUCH-RECORD")
    assert (answer.status_code, answer.json()["error"]) == (404, "unknown_record")


def test_malformed_bodies_and_ids_are_422_naming_the_field(client: TestClient, keys: Keys) -> None:
    key = keys[Role.ADMIN]
    no_evidence = _file(client, key, BLACKLISTING, evidence=[])
    assert no_evidence.status_code == 422 and no_evidence.json()["fields"] == ["evidence"]
    blank = client.post("/v1/repairs", json={"record_ref": " ", "commitment": "x",
                                             "evidence": ["a"]}, headers=key)  # fmt: skip
    assert blank.status_code == 422 and blank.json()["fields"] == ["record_ref"]
    bad_id = client.get("/v1/repairs/not-an-id", headers=key)
    assert bad_id.status_code == 422 and bad_id.json()["fields"] == ["repair_id"]
    bad_decision = _decide(client, key, UNKNOWN_ID, "maybe")
    assert bad_decision.status_code == 422 and bad_decision.json()["fields"] == ["decision"]
    assert client.get(f"/v1/repairs/{UNKNOWN_ID}", headers=key).status_code == 404


def test_roles_checkers_file_nothing_investigators_decide_nothing(
    client: TestClient, keys: Keys
) -> None:
    assert _file(client, keys[Role.CHECKER], BLACKLISTING).status_code == 403
    filed = _file(client, keys[Role.INVESTIGATOR], BLACKLISTING)
    assert filed.status_code == 201
    repair_id = filed.json()["repair_id"]
    assert _decide(client, keys[Role.INVESTIGATOR], repair_id, "approved").status_code == 403
    assert client.get(f"/v1/repairs/{repair_id}", headers=keys[Role.CHECKER]).status_code == 403


def test_an_approved_repair_ends_the_measures_in_the_same_request(
    client: TestClient, keys: Keys, world: Database
) -> None:
    assert _check(client, keys[Role.ADMIN], HUANG, "bidding")["decision"] == "deny"
    filed = _file(client, keys[Role.INVESTIGATOR], BLACKLISTING)
    assert filed.status_code == 201, filed.text
    assert filed.json()["state"] == "pending" and filed.json()["party_id"] == HUANG
    repair_id = filed.json()["repair_id"]
    shown = client.get(f"/v1/repairs/{repair_id}", headers=keys[Role.INVESTIGATOR]).json()
    assert shown["state"] == "pending" and shown["evidence"] == ["整改报告-1"]

    decided = _decide(client, keys[Role.ADMIN], repair_id, "approved")

    assert decided.status_code == 200, decided.text
    assert decided.json()["state"] == "approved" and decided.json()["propagation"]["lost"] == 1
    result = _check(client, keys[Role.ADMIN], HUANG, "bidding")
    assert (result["decision"], result["measures"]) == ("allow", [])
    (update,) = world.read_plain("dueprocess/records_by_ref", ref=BLACKLISTING)[0]["record"][
        "updates"
    ]
    assert update == {"status": "repaired", "source": "repair",
                      "effective_on": date.today().isoformat()}  # fmt: skip
    (loss,) = _losses(world, HUANG)
    assert (loss["ended_by"], loss["ended_on"], loss["ended_source"]) == (
        "repaired", date.today().isoformat(), "repair")  # fmt: skip
    changes = client.post("/graphql", json={"query": CHANGES, "variables": {"p": HUANG}},
                          headers=keys[Role.INVESTIGATOR]).json()  # fmt: skip
    assert changes["data"]["measureChanges"]["nodes"] == [
        {"measure": "blacklist", "endedBy": "repaired", "endedOn": date.today().isoformat(),
         "endedSource": "repair"}]  # fmt: skip


def test_a_rejected_repair_keeps_its_reason_and_the_measures(
    client: TestClient, keys: Keys
) -> None:
    repair_id = _file(client, keys[Role.INVESTIGATOR], BLACKLISTING).json()["repair_id"]
    decided = _decide(client, keys[Role.ADMIN], repair_id, "rejected")
    assert decided.status_code == 200
    assert (decided.json()["state"], decided.json()["reason"]) == ("rejected", "材料齐全")
    assert "propagation" not in decided.json()
    assert _check(client, keys[Role.ADMIN], HUANG, "bidding")["decision"] == "deny"


def test_a_decision_on_a_closed_application_is_409(client: TestClient, keys: Keys) -> None:
    repair_id = _file(client, keys[Role.INVESTIGATOR], BLACKLISTING).json()["repair_id"]
    assert _decide(client, keys[Role.ADMIN], repair_id, "rejected").status_code == 200
    again = _decide(client, keys[Role.ADMIN], repair_id, "approved")
    assert (again.status_code, again.json()["error"]) == (409, "closed")


def test_filings_and_decisions_are_audited(client: TestClient, keys: Keys, world: Database) -> None:
    repair_id = _file(client, keys[Role.INVESTIGATOR], BLACKLISTING).json()["repair_id"]
    _decide(client, keys[Role.ADMIN], repair_id, "approved")
    found = [(e.kind, e.actor.name, e.payload.get("repair_id"))
             for e, _ in stored_entries(world) if e.kind.startswith("repair_")]  # fmt: skip
    assert found == [("repair_filed", "dp-investigator", repair_id),
                     ("repair_decided", "dp-admin", repair_id)]  # fmt: skip
    stored = world.read_plain("dueprocess/repair_by_id", repair_id=repair_id)[0]["props"]
    entries = {e.kind: e.seq for e, _ in stored_entries(world)}
    assert stored["audit_seq"] == entries["repair_filed"]  # the filing's row is its attachment


def _losses(db: Database, party: str) -> list[dict[str, Any]]:
    """The change log's losses of ``party``."""
    since = datetime(1970, 1, 1, tzinfo=UTC)
    rows = db.read_plain("changes/measure_changes", since=since, party=party, change="lost",
                         after_at=None, after_id=None, limit=100)  # fmt: skip
    return [r["props"] for r in rows]
