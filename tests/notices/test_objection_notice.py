"""The seam with objections (issue #16 items 3-4): an objection upheld by an admin revokes
the record, the propagation that follows ends the measure, and every key that was denied the
party gets a notice whose reason is ``objection_upheld``."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from fastapi.testclient import TestClient

from graph_service.db import Database
from graph_service.security.roles import Role
from tests.notices.conftest import HUANG, auth, check, load_world

MakeKey = Callable[[Role, str], tuple[str, str]]


def test_an_upheld_objection_gives_notices_saying_so(
    db: Database, client: TestClient, make_key: MakeKey, tmp_path: Path
) -> None:
    load_world(db, tmp_path)
    agency, agency_id = make_key(Role.CHECKER, "agency-a")
    admin, _ = make_key(Role.ADMIN, "desk")
    denied = check(client, agency, HUANG)
    filed = client.post(
        "/v1/objections",
        json={"record_ref": "WL-1", "grounds": "不是本人", "contact": "0311-1234567"},
        headers=auth(admin),
    )
    assert filed.status_code == 201, filed.text

    decided = client.post(
        f"/v1/objections/{filed.json()['objection_id']}/decision",
        json={"decision": "upheld", "action": "revoked", "reason": "身份被冒用"},
        headers=auth(admin),
    )

    assert decided.status_code == 200, decided.text
    (notice,) = client.get("/v1/notices", headers=auth(agency)).json()["notices"]
    assert (notice["party_id"], notice["record_ref"], notice["reason"]) == (
        HUANG,
        "WL-1",
        "objection_upheld",
    )
    assert notice["effective_on"] == date.today().isoformat()
    assert notice["supersedes_checks"] == [denied["check_id"]]
    assert [r["notice"]["key_id"] for r in db.read("notices/test_notices")] == [agency_id]
