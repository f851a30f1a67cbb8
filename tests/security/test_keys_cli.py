"""``credit-graph keys create|list|revoke``: the key is printed once, only its hash stored."""

from __future__ import annotations

import hashlib
import json
import re
import time

from fastapi.testclient import TestClient

from graph_service.db import Database
from tests.conftest import run_cli
from tests.security.conftest import auth, check_body

KEY_FORM = re.compile(r"^cgk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$")


def test_create_prints_the_key_once_and_stores_only_its_hash(db: Database) -> None:
    done = run_cli("keys", "create", "--role", "checker", "--name", "procurement-portal")
    assert done.returncode == 0, done.stderr
    key = done.stdout.strip()
    assert KEY_FORM.match(key)
    assert "shown only this once" in done.stderr and key not in done.stderr
    dump = json.dumps(db.read("meta/test_dump_nodes"), default=str)
    secret = key.split("_", 2)[2]
    assert secret not in dump
    [stored] = [r["props"] for r in db.read("meta/test_dump_nodes") if "ApiKey" in r["labels"]]
    assert stored["key_hash"] == hashlib.sha256(key.encode()).hexdigest()
    listing = run_cli("keys", "list")
    assert "procurement-portal\tchecker" in listing.stdout and secret not in listing.stdout


def test_created_key_works_and_revoked_key_does_not(client: TestClient) -> None:
    key = run_cli("keys", "create", "--role", "investigator", "--name", "li").stdout.strip()
    assert client.post("/v1/checks", json=check_body(), headers=auth(key)).status_code == 200
    revoked = run_cli("keys", "revoke", "li")
    assert revoked.returncode == 0, revoked.stderr
    assert "revoked" in revoked.stdout
    listed = json.loads(run_cli("keys", "list", "--json").stdout)
    assert listed[0]["revoked_at"] is not None
    time.sleep(0.4)  # the test app caches keys for 0.3 s
    assert client.post("/v1/checks", json=check_body(), headers=auth(key)).status_code == 401


def test_names_are_unique_and_checked(db: Database) -> None:
    assert run_cli("keys", "create", "--role", "admin", "--name", "ops").returncode == 0
    again = run_cli("keys", "create", "--role", "checker", "--name", "ops")
    assert again.returncode == 1
    assert again.stderr.strip() == "error: a key named 'ops' exists (names are never reused)"
    assert again.stdout == ""
    bad = run_cli("keys", "create", "--role", "checker", "--name", "has space")
    assert bad.returncode == 1 and "is not allowed" in bad.stderr


def test_unknown_role_and_unknown_name(db: Database) -> None:
    assert run_cli("keys", "create", "--role", "root", "--name", "x").returncode == 2
    missing = run_cli("keys", "revoke", "nobody")
    assert missing.returncode == 1
    assert missing.stderr.startswith("error: no key named 'nobody'")


def test_key_management_is_audited(db: Database) -> None:
    run_cli("keys", "create", "--role", "loader", "--name", "nightly-load")
    run_cli("keys", "revoke", "nightly-load")
    run_cli("keys", "revoke", "nightly-load")  # a second revocation changes and logs nothing
    done = run_cli("audit", "export", "--since", "2000-01-01")
    kinds = [json.loads(line)["kind"] for line in done.stdout.splitlines()]
    assert kinds == ["key_created", "key_revoked", "audit_export"]


def test_help_of_the_security_commands() -> None:
    for command in (["keys"], ["keys", "create"], ["audit"], ["audit", "export"], ["receipt"]):
        done = run_cli(*command, "--help")
        assert done.returncode == 0, done.stderr
        assert "Usage" in done.stdout
