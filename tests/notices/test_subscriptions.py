"""``/v1/subscriptions`` over HTTP: a key's own webhooks, refused URLs and secrets, the secret
kept encrypted and never shown, and every change audited."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import hypothesis
import pytest
from fastapi.testclient import TestClient
from hypothesis import strategies as st

from graph_service.app import create_app
from graph_service.db import Database
from graph_service.dueprocess import webhooks
from graph_service.security.roles import Role
from graph_service.settings import Settings
from tests.notices.conftest import SECRET, auth

MakeKey = Callable[[Role, str], tuple[str, str]]
HOOK = "https://agency-a.example.gov.cn/hooks/credit"


def test_a_key_registers_lists_and_deletes_its_own_webhooks(
    db: Database, client: TestClient, make_key: MakeKey
) -> None:
    key, key_id = make_key(Role.CHECKER, "agency-a")
    other, _ = make_key(Role.CHECKER, "agency-b")

    made = client.post("/v1/subscriptions", json={"url": HOOK, "secret": SECRET},
                       headers=auth(key))  # fmt: skip
    sub_id = made.json()["subscription_id"]
    mine = client.get("/v1/subscriptions", headers=auth(key)).json()
    theirs = client.get("/v1/subscriptions", headers=auth(other)).json()
    not_theirs = client.delete(f"/v1/subscriptions/{sub_id}", headers=auth(other))
    deleted = client.delete(f"/v1/subscriptions/{sub_id}", headers=auth(key))
    again = client.delete(f"/v1/subscriptions/{sub_id}", headers=auth(key))

    assert made.status_code == 201 and set(made.json()) == {"subscription_id", "url", "created_at"}
    assert [s["subscription_id"] for s in mine["subscriptions"]] == [sub_id]
    assert theirs == {"subscriptions": []}
    assert not_theirs.status_code == 404 and deleted.status_code == 204
    assert again.status_code == 404
    assert client.get("/v1/subscriptions", headers=auth(key)).json() == {"subscriptions": []}
    assert SECRET not in made.text + json.dumps(mine)
    (stored,) = [r["subscription"] for r in db.read("notices/test_subscriptions")]
    assert stored["key_id"] == key_id and stored["deleted_at"]
    assert SECRET not in json.dumps(stored) and stored["secret_box"]  # encrypted at rest
    kinds = ["subscription_created", "subscription_deleted"]
    for kind in kinds:
        (entry,) = db.read("notices/test_audit_kind", kind=kind)
        assert entry["key_id"] == key_id and SECRET not in entry["payload"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"url": "ftp://agency.example/hook", "secret": SECRET}, "url"),
        ({"url": "file:///etc/passwd", "secret": SECRET}, "url"),
        ({"url": "not a url", "secret": SECRET}, "url"),
        ({"url": "http://user:pw@agency.example/hook", "secret": SECRET}, "url"),
        ({"url": "http://testserver/v1/checks", "secret": SECRET}, "url"),  # the request's base
        ({"url": "http://127.0.0.1:8000/x", "secret": SECRET}, "url"),  # host:port it serves
        ({"url": "https://credit.example.gov.cn/x", "secret": SECRET}, "url"),  # public_url
        ({"url": "http://[::1]:8000/x", "secret": SECRET}, "url"),  # its port, by IPv6 loopback
        ({"url": "http://[::ffff:127.0.0.1]:8000/x", "secret": SECRET}, "url"),  # IPv4-mapped
        ({"url": "http://[::]:8000/x", "secret": SECRET}, "url"),  # :: reaches this machine
        ({"url": "http://0.0.0.0:8000/x", "secret": SECRET}, "url"),
        ({"url": "http://127.1:8000/x", "secret": SECRET}, "url"),  # the resolver's short form
        ({"url": "http://[fd00::8::9]/hook", "secret": SECRET}, "url"),  # two "::"
        ({"url": "http://[fd00::8/hook", "secret": SECRET}, "url"),  # unclosed bracket
        ({"url": HOOK, "secret": "fifteen-bytes.."}, "secret"),
        ({"url": HOOK, "secret": "短密钥"}, "secret"),  # 9 bytes in UTF-8
    ],
)
def test_bad_urls_and_short_secrets_are_refused_naming_the_field(
    db: Database,
    settings: Settings,
    make_key: MakeKey,
    body: dict[str, str],
    field: str,
) -> None:
    app = create_app(settings.model_copy(update={"public_url": "https://credit.example.gov.cn"}))
    key, _ = make_key(Role.CHECKER, "agency-a")
    with TestClient(app) as client:
        answer = client.post("/v1/subscriptions", json=body, headers=auth(key))
    assert answer.status_code == 422, answer.text
    assert answer.json()["message"].startswith(f"{field}: ")
    assert SECRET not in answer.text
    assert db.read("notices/test_subscriptions") == []


def test_loaders_cannot_subscribe(client: TestClient, make_key: MakeKey) -> None:
    key, _ = make_key(Role.LOADER, "loader")
    answer = client.post("/v1/subscriptions", json={"url": HOOK, "secret": SECRET},
                         headers=auth(key))  # fmt: skip
    assert answer.status_code == 403


def test_an_unreadable_notice_key_is_a_500_without_its_path_and_the_service_still_starts(
    db: Database, settings: Settings, make_key: MakeKey, tmp_path: Path
) -> None:
    folder = tmp_path / "not-a-key-file"
    folder.mkdir()
    key, _ = make_key(Role.CHECKER, "agency-a")
    broken = settings.model_copy(update={"notice_key_file": folder, "notice_delivery": True})

    with TestClient(create_app(broken)) as client:  # the delivery worker starts regardless
        answer = client.post("/v1/subscriptions", json={"url": HOOK, "secret": SECRET},
                             headers=auth(key))  # fmt: skip

    assert answer.status_code == 500 and answer.json()["error"] == "config_error"
    assert str(folder) not in answer.text
    assert db.read("notices/test_subscriptions") == []


@hypothesis.settings(max_examples=300, deadline=None)
@hypothesis.given(url=st.from_regex(webhooks.URL_PATTERN))
def test_every_url_the_published_pattern_allows_is_accepted(url: str) -> None:
    """A client that follows the schema's pattern (IPv6 literals included) is never refused
    as invalid: only a URL pointing at the service itself may be."""
    assert webhooks.url_refusal(url, ["http://127.0.0.1:8000"]) in (
        None,
        "points at this service itself",
    )
