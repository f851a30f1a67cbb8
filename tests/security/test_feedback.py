"""Feedback on a check (which measures the agency applied), and reading stored checks."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.security.audit_read import by_check
from graph_service.security.roles import Role
from tests.security.conftest import (
    COMPANY,
    OFFICER_BAN,
    PERSON,
    MakeKey,
    auth,
    check_body,
    person_evaluator,
    use_evaluator,
)


@pytest.fixture
def checked(app: FastAPI, client: TestClient, make_key: MakeKey) -> dict[str, Any]:
    """A check of PERSON (one measure: officer_ban) by the checker "portal"."""
    use_evaluator(app, person_evaluator([OFFICER_BAN]))
    key = make_key(Role.CHECKER, "portal")
    body = client.post("/v1/checks", json=check_body(parties=[PERSON]), headers=auth(key)).json()
    return {"check_id": body["check_id"], "headers": auth(key)}


def _feedback(client: TestClient, checked: dict[str, Any], **body: Any) -> Any:
    url = f"/v1/checks/{checked['check_id']}/feedback"
    return client.post(url, json={"party_id": PERSON, **body}, headers=checked["headers"])


def test_feedback_is_stored_with_the_check_and_audited(
    client: TestClient, checked: dict[str, Any], make_key: MakeKey, db: Database
) -> None:
    response = _feedback(
        client, checked, not_applied=[{"measure": "officer_ban", "reason": "appointment withdrawn"}]
    )
    assert response.status_code == 201, response.text
    investigator = auth(make_key(Role.INVESTIGATOR))
    view = client.get(f"/v1/checks/{checked['check_id']}", headers=investigator).json()
    assert view["purpose"] == "bid evaluation 2026-017"
    assert view["caller"] == {"name": "portal", "role": "checker"}
    assert view["response"]["results"][0]["name"] == "张*"  # as the checker was answered
    [feedback] = view["feedback"]
    assert feedback["applied"] == []
    assert feedback["not_applied"] == [
        {"measure": "officer_ban", "reason": "appointment withdrawn"}
    ]
    assert feedback["given_by"] == {"name": "portal", "role": "checker"}
    kinds = [e.kind for e in by_check(db, checked["check_id"])]
    assert kinds == ["check", "feedback", "check_viewed"]


def test_feedback_applied_is_accepted(client: TestClient, checked: dict[str, Any]) -> None:
    assert _feedback(client, checked, applied=["officer_ban"]).status_code == 201


def test_feedback_for_a_party_not_checked_is_409(
    client: TestClient, checked: dict[str, Any]
) -> None:
    url = f"/v1/checks/{checked['check_id']}/feedback"
    response = client.post(url, json={"party_id": COMPANY}, headers=checked["headers"])
    assert response.status_code == 409
    assert response.json()["error"] == "conflict"
    # issue #12: the field is named, the value sent is not repeated (was: COMPANY in message)
    assert "party_id" in response.json()["message"]
    assert COMPANY not in response.json()["message"]


@pytest.mark.parametrize(
    "body",
    [
        {"applied": ["bidding_ban"]},
        {"not_applied": [{"measure": "exit_review", "reason": "n/a"}]},
    ],
)
def test_feedback_on_a_measure_not_returned_is_409(
    client: TestClient, checked: dict[str, Any], body: dict[str, Any]
) -> None:
    response = _feedback(client, checked, **body)
    assert response.status_code == 409
    assert "were not returned" in response.json()["message"]


def test_feedback_on_an_unknown_check_is_404(client: TestClient, checked: dict[str, Any]) -> None:
    response = client.post(
        "/v1/checks/no-such-check/feedback", json={"party_id": PERSON}, headers=checked["headers"]
    )
    assert response.status_code == 404


def test_another_checker_cannot_give_feedback_on_my_check(
    client: TestClient, checked: dict[str, Any], make_key: MakeKey
) -> None:
    other = auth(make_key(Role.CHECKER, "other-portal"))
    url = f"/v1/checks/{checked['check_id']}/feedback"
    response = client.post(url, json={"party_id": PERSON}, headers=other)
    assert response.status_code == 404


def test_feedback_body_is_validated(client: TestClient, checked: dict[str, Any]) -> None:
    response = _feedback(client, checked, not_applied=[{"measure": "officer_ban"}])
    assert response.status_code == 422
    assert response.json()["fields"] == ["not_applied[0].reason"]
