"""Who may call what, through HTTP: 401 without a valid key, 403 for a wrong role."""

from __future__ import annotations

import time

from fastapi.testclient import TestClient

from graph_service.security.appender import AuditLog
from graph_service.security.keys import new_key, revoke_key
from graph_service.security.roles import Role
from tests.security.conftest import TEST_ACTOR, MakeKey, auth, check_body

UNAUTHENTICATED = {
    "error": "unauthenticated",
    "message": "a valid API key is required in the X-API-Key header"
    " (missing, unknown and revoked keys are all refused alike)",
}


def test_missing_key_is_401_with_a_json_error(client: TestClient) -> None:
    response = client.post("/v1/checks", json=check_body())
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_unknown_and_malformed_keys_get_the_same_401(client: TestClient) -> None:
    unknown, _ = new_key()  # well formed, never stored
    for key in (unknown, "not-a-key", "cgk_" + "0" * 12 + "_" + "A" * 43):
        response = client.post("/v1/checks", json=check_body(), headers=auth(key))
        assert response.status_code == 401, key
        assert response.json() == UNAUTHENTICATED


def test_revoked_key_is_refused_within_the_cache_time(
    client: TestClient, make_key: MakeKey, db: object
) -> None:
    key = make_key(Role.CHECKER, "portal")
    assert client.post("/v1/checks", json=check_body(), headers=auth(key)).status_code == 200
    with AuditLog(client.app.state.db) as audit:  # type: ignore[attr-defined]
        revoke_key(audit, TEST_ACTOR, "portal")
    time.sleep(0.4)  # the test settings cache keys for 0.3 s
    response = client.post("/v1/checks", json=check_body(), headers=auth(key))
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED


def test_loader_may_not_check_403(client: TestClient, make_key: MakeKey) -> None:
    key = make_key(Role.LOADER)
    response = client.post("/v1/checks", json=check_body(), headers=auth(key))
    assert response.status_code == 403
    assert response.json() == {
        "error": "forbidden",
        "message": "the role 'loader' may not use this endpoint",
    }


def test_checker_may_not_read_stored_checks_403(client: TestClient, make_key: MakeKey) -> None:
    key = make_key(Role.CHECKER)
    check_id = client.post("/v1/checks", json=check_body(), headers=auth(key)).json()["check_id"]
    response = client.get(f"/v1/checks/{check_id}", headers=auth(key))
    assert response.status_code == 403
    assert response.json()["error"] == "forbidden"


def test_every_checking_role_may_check_and_bearer_works_too(
    client: TestClient, make_key: MakeKey
) -> None:
    for role in (Role.CHECKER, Role.INVESTIGATOR, Role.ADMIN):
        key = make_key(role)
        response = client.post(
            "/v1/checks", json=check_body(), headers={"Authorization": f"Bearer {key}"}
        )
        assert response.status_code == 200, (role, response.text)


def test_errors_leak_nothing_about_keys(client: TestClient, make_key: MakeKey) -> None:
    real = make_key(Role.CHECKER)
    key_id = real.split("_")[1]
    forged = real[:-4] + "AAAA"  # right id, wrong secret
    response = client.post("/v1/checks", json=check_body(), headers=auth(forged))
    assert response.status_code == 401
    assert response.json() == UNAUTHENTICATED
    assert key_id not in response.text and "Traceback" not in response.text
