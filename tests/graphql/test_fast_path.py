"""``POST /graphql`` of a cached caller skips the router and FastAPI's dependencies
(graph_service/gql/fast_path.py) and answers exactly as the route does: same status, headers,
body and audit entry, over real HTTP. The route is made to answer the same requests by
overriding a dependency with itself (the fast path steps aside for any override)."""

from __future__ import annotations

import shutil
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from graph_service import migrations
from graph_service.app import create_app
from graph_service.check.service import get_evaluator
from graph_service.db import Database
from graph_service.gql.fast_path import GraphQLFastPath
from graph_service.security import local_audit
from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from loaders.engine import LoadOptions, load_directory
from tests.conftest import ROOT, make_settings, wait_for
from tests.graphql.conftest import HUABEI
from tests.servers import serving

CARD = """query Card($id: String!) { party(id: $id) { __typename
  ... on Party { id name kind provenance { srcKind loadedAt } creditReport { headline }
                 measures { measure } cases(first: 5) { totalCount } }
  ... on Company { uscc legalRepName } } }"""
#: Requests whose answers are compared: (what, role, body as sent, content type).
REQUESTS: list[tuple[str, str, Any, str]] = [
    ("the card", "investigator", {"query": CARD, "variables": {"id": HUABEI.lower()}}, "json"),
    ("unknown party", "investigator", {"query": CARD, "variables": {"id": "91130000XXXXXXXXXX"}},
     "json"),
    ("an invalid id", "investigator", {"query": CARD, "variables": {"id": "?"}}, "json"),
    ("version only", "investigator", {"query": "{ version }"}, "json"),
    ("a field beyond the role", "checker", {"query": CARD, "variables": {"id": HUABEI}}, "json"),
    ("not valid GraphQL", "investigator", {"query": "{ party(id: ) }"}, "json"),
    ("an unknown field", "investigator", {"query": "{ nothing }"}, "json"),
    ("a variable of the wrong type", "investigator", {"query": CARD, "variables": {"id": 5}},
     "json"),
    ("no such operation", "investigator", {"query": CARD, "operationName": "Other",
                                           "variables": {"id": HUABEI}}, "json"),
    ("variables not an object", "investigator", {"query": CARD, "variables": [1]}, "json"),
    ("not JSON", "investigator", b"{nope", "json"),
    ("not UTF-8", "investigator", b'{"query": "\xff"}', "json"),
    ("a batch", "investigator", [{"query": "{ version }"}], "json"),
    ("another content type", "investigator", b"{ version }", "text/plain"),
]  # fmt: skip


@dataclass
class Served:
    """The app on a loopback port, a client, keys by role, and its local audit folder."""

    app: FastAPI
    url: str
    client: httpx.Client
    keys: dict[str, str]
    audit: Path

    def post(self, role: str | None, body: Any, kind: str = "json") -> httpx.Response:
        headers = {"X-API-Key": self.keys[role]} if role else {}
        if kind == "json" and not isinstance(body, bytes):
            return self.client.post(f"{self.url}/graphql", json=body, headers=headers)
        content_type = "application/json" if kind == "json" else kind
        headers["Content-Type"] = content_type
        return self.client.post(f"{self.url}/graphql", content=body, headers=headers)

    def by_route(self, role: str | None, body: Any, kind: str = "json") -> httpx.Response:
        """The same request answered by the route (an override, of a dependency by itself)."""
        self.app.dependency_overrides[get_evaluator] = get_evaluator
        try:
            return self.post(role, body, kind)
        finally:
            self.app.dependency_overrides.clear()

    def warm(self, role: str) -> None:
        """The key of ``role`` cached again (the route reads a key the cache lost: 2 s)."""
        assert self.by_route(role, {"query": "{ version }"}).status_code == 200


def _served(db: Database, tmp_path: Path, **settings: Any) -> Iterator[Served]:
    """The sample companies (loaded again when missing), keys of an investigator and a
    checker, and the app with a local audit log in ``tmp_path``, served over HTTP."""
    folder = tmp_path / "registries"
    folder.mkdir(exist_ok=True)
    shutil.copy(ROOT / "tests/fixtures/registries/companies.csv", folder / "companies.csv")
    load_directory(db, folder, LoadOptions(reject_dir=tmp_path))
    keys: dict[str, str] = {}
    with AuditLog(db) as audit:
        for role in (Role.INVESTIGATOR, Role.CHECKER):
            name = f"fast-{role.value}-{uuid.uuid4().hex[:12]}"
            keys[role.value] = create_key(audit, Actor("tests", "operator"), name, role)[0]
    values = {"audit_local": True, "audit_local_dir": tmp_path / "audit"} | settings
    app = create_app(make_settings(**values))
    with serving(app) as url, httpx.Client(timeout=30) as client:
        yield Served(app, url, client, keys, tmp_path / "audit")


@pytest.fixture(scope="module")
def served(session_db: Database, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    migrations.reset(session_db)
    yield from _served(session_db, tmp_path_factory.mktemp("fast"))


def _same(fast: httpx.Response, route: httpx.Response, *, skip: tuple[str, ...] = ()) -> None:
    assert fast.status_code == route.status_code
    assert fast.content == route.content
    assert _headers(fast, skip) == _headers(route, skip)


def _headers(response: httpx.Response, skip: tuple[str, ...]) -> list[tuple[str, str]]:
    return sorted((k, v) for k, v in response.headers.items() if k not in {"date", *skip})


@pytest.mark.parametrize(("what", "role", "body", "kind"), REQUESTS, ids=[r[0] for r in REQUESTS])
def test_a_cached_caller_is_answered_by_the_fast_path_as_by_the_route(
    served: Served, what: str, role: str, body: Any, kind: str
) -> None:
    served.warm(role)
    before = GraphQLFastPath.answered
    fast = served.post(role, body, kind)
    assert GraphQLFastPath.answered == before + 1, f"{what}: not answered by the fast path"
    route = served.by_route(role, body, kind)
    assert GraphQLFastPath.answered == before + 1, f"{what}: the route was not taken"
    _same(fast, route)


def test_the_card_and_a_refusal_answer_as_expected(served: Served) -> None:
    served.warm("investigator")
    served.warm("checker")
    card = served.post("investigator", REQUESTS[0][2])
    assert card.status_code == 200, card.text
    assert card.json()["data"]["party"]["name"] == "石家庄华北建设工程有限公司"
    refused = served.post("checker", REQUESTS[4][2])
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "forbidden"


def test_the_audit_entry_is_the_routes(served: Served) -> None:
    body = {"query": CARD, "variables": {"id": HUABEI.lower()}}
    served.warm("investigator")  # { version } alone is not audited
    before = len(_graphql_entries(served.audit))
    served.post("investigator", body)
    served.by_route("investigator", body)
    wait_for(lambda: len(_graphql_entries(served.audit)) == before + 2, 10, "two entries expected")
    fast, route = _graphql_entries(served.audit)[-2:]
    assert fast == route
    assert fast[1] == {"operation": "Card", "fields": ["party"], "parties": [HUABEI],
                       "variables": {"id": HUABEI.lower()}}  # fmt: skip


def test_requests_without_a_cached_key_go_to_the_route(served: Served) -> None:
    before = GraphQLFastPath.answered
    anonymous = served.post(None, REQUESTS[0][2])
    assert anonymous.status_code == 401
    unknown = served.client.post(
        f"{served.url}/graphql", json=REQUESTS[0][2], headers={"X-API-Key": "cg_nope.nope"}
    )
    assert unknown.status_code == 401
    assert served.client.get(f"{served.url}/graphql", headers={"Accept": "text/html"}).is_success
    assert GraphQLFastPath.answered == before


def test_metrics_count_fast_answers_under_the_routes_label(served: Served) -> None:
    def counts() -> dict[str, float]:
        text = served.client.get(f"{served.url}/metrics").text
        found = {}
        for line in text.splitlines():
            if line.startswith("credit_graph_http_requests_total{") and 'method="POST"' in line:
                labels, value = line.rsplit(" ", 1)
                found[labels] = float(value)
        return found

    def counted(send: Any) -> set[str]:
        before = counts()
        send("investigator", {"query": "{ version }"})
        return {k for k, v in counts().items() if v != before.get(k, 0.0)}

    served.warm("investigator")
    by_route, fast = counted(served.by_route), counted(served.post)
    assert len(by_route) == 1
    assert fast == by_route
    assert 'route="/graphql"' in next(iter(fast))  # the template, not "" (an included router's)


def test_the_rate_limit_is_the_routes(session_db: Database, tmp_path: Path) -> None:
    for served in _served(session_db, tmp_path, rate_limit_per_s=0.01, rate_limit_burst=2):
        served.warm("investigator")  # the first of the key's two tokens
        assert served.post("investigator", {"query": "{ version }"}).status_code == 200
        before = GraphQLFastPath.answered
        fast = served.post("investigator", {"query": "{ version }"})
        assert GraphQLFastPath.answered == before + 1
        route = served.by_route("investigator", {"query": "{ version }"})
        assert fast.status_code == 429, fast.text
        # ~100 s either way (whole seconds: the second asked a moment later)
        assert abs(int(fast.headers["retry-after"]) - int(route.headers["retry-after"])) <= 1
        _same(fast, route, skip=("retry-after",))


def _graphql_entries(folder: Path) -> list[tuple[str, dict[str, Any]]]:
    """(actor, payload) of the ``graphql`` entries in the local log of ``folder``."""
    conn = local_audit.connect(folder / local_audit.FILE_NAME)
    try:
        return [
            (str(e.entry.actor), e.entry.payload)
            for e in local_audit.entries_after(conn, 0, 1000)
            if e.entry.kind == "graphql"
        ]
    finally:
        conn.close()
