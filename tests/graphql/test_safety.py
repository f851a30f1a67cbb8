"""Safety: access, caps on depth, aliases, tokens and page size, masking, timeouts."""

from __future__ import annotations

import time
from concurrent.futures import Future

import pytest

from graph_service.db import Database
from graph_service.errors import AuditUnavailable, QueryTimeout
from graph_service.gql.context import Context
from graph_service.security.audit import Entry
from graph_service.security.audit_read import by_party
from tests.graphql.conftest import HUABEI, Api

pytestmark = pytest.mark.neo4j

NAME = f'{{ party(id: "{HUABEI}") {{ ... on Party {{ name }} }} }}'


def test_requests_without_an_investigator_key_are_refused(api: Api) -> None:
    response = api.post(NAME, role=None)
    assert response.status_code == 401
    body = response.json()
    assert body["data"] == {"party": None}
    assert body["errors"][0]["extensions"]["code"] == "unauthenticated"
    assert "X-API-Key" in body["errors"][0]["message"]
    assert api.post(NAME, key="cgk_0123456789ab_" + "A" * 43).status_code == 401
    # a valid key of a role that may not explore the graph
    refused = api.post(NAME, role="checker")
    assert refused.status_code == 403
    assert refused.json()["errors"][0]["extensions"]["code"] == "forbidden"


def test_admins_may_read_and_version_is_public(api: Api) -> None:
    assert api.post(NAME, role="admin").status_code == 200
    public = api.post("{ version }", role=None)
    assert public.status_code == 200 and "errors" not in public.json()


def test_graphiql_page_loads_without_a_key(api: Api) -> None:
    page = api.client.get(f"{api.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()


def test_introspection_works_within_the_limits(api: Api) -> None:
    from graphql import get_introspection_query

    response = api.post(get_introspection_query(descriptions=True))
    assert response.status_code == 200
    assert "errors" not in response.json()


def test_deep_queries_are_refused_before_running(api: Api) -> None:
    # party → holdings → nodes → company → holdings → … : 13 levels
    inner = "name"
    for _ in range(4):
        inner = f"holdings {{ nodes {{ company {{ {inner} }} }} }}"
    deep = f'{{ party(id: "{HUABEI}") {{ ... on Party {{ {inner} }} }} }}'
    api.db.query_counts.clear()
    body = api.post(deep).json()
    assert "exceeds maximum operation depth" in body["errors"][0]["message"]
    # nothing was read from the graph (the key lookup and the audit entry are security's)
    assert [n for n in api.db.query_counts if n.split("/")[0] not in {"keys", "audit"}] == []


def test_many_aliases_are_refused(api: Api) -> None:
    fields = " ".join(f'p{i}: party(id: "{HUABEI}") {{ __typename }}' for i in range(16))
    body = api.post(f"{{ {fields} }}").json()
    assert "aliases" in body["errors"][0]["message"].lower()


def test_huge_documents_are_refused(api: Api) -> None:
    fields = " ".join("version" for _ in range(2100))
    body = api.post(f"{{ {fields} }}").json()
    assert "token" in body["errors"][0]["message"].lower()


def test_page_size_and_cursors_are_checked(api: Api, samples: Database) -> None:
    query = '{ party(id: "ID") { ... on Party { records(first: 101) { totalCount } } } }'
    error = api.post(query.replace("ID", HUABEI)).json()["errors"][0]
    assert error["extensions"]["code"] == "invalid_input"
    assert error["message"] == "first: must be between 1 and 100, got 101"
    bad = '{ party(id: "ID") { ... on Party { cases(after: "!!") { totalCount } } } }'
    error = api.post(bad.replace("ID", HUABEI)).json()["errors"][0]
    assert error["extensions"]["code"] == "invalid_input"


def test_unexpected_failures_are_masked(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    async def broken(self: Context, name: str, /, **params: object) -> list[dict[str, object]]:
        raise RuntimeError("password=hunter2 in a stack trace")

    monkeypatch.setattr(Context, "read", broken)
    query = '{ searchParties(text: "华北") { __typename } }'
    body = api.post(query).json()
    assert body["errors"][0]["message"] == "Unexpected error."
    assert body["errors"][0]["extensions"] == {"code": "internal"}
    assert "hunter2" not in str(body)


def test_a_query_timeout_is_reported_with_its_code(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    async def slow(self: Context, name: str, /, **params: object) -> list[dict[str, object]]:
        raise QueryTimeout(f"query {name} exceeded its timeout and was aborted")

    monkeypatch.setattr(Context, "read", slow)
    body = api.post('{ searchParties(text: "华北") { __typename } }').json()
    assert body["errors"][0]["extensions"] == {"code": "query_timeout"}
    assert "search/parties" in body["errors"][0]["message"]


def test_every_cypher_query_carries_the_graphql_timeout(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    seen: list[float | None] = []
    real = api.db.read_plain

    def spy(name: str, /, timeout_s: float | None = None, **params: object) -> object:
        seen.append(timeout_s)
        return real(name, timeout_s=timeout_s, **params)

    monkeypatch.setattr(api.db, "read_plain", spy)
    api.post('{ searchParties(text: "华北") { __typename } }')
    assert seen == [api.app.state.settings.graphql_query_timeout_s]


def test_every_operation_of_a_caller_is_audited_with_the_parties_asked(
    api: Api, samples: Database
) -> None:
    query = """query ($id: String!) { party(id: $id) { ... on Party { name } } }"""
    assert api.post(query, {"id": " ９１１３０１０２ｒｇ８ｅ６４ｘｋｋｒ"}).status_code == 200
    entry = _graphql_entry(samples, HUABEI)
    assert entry.actor.role == "investigator"
    assert entry.payload["fields"] == ["party"]
    assert entry.payload["parties"] == [HUABEI]


def _graphql_entry(db: Database, party: str) -> Entry:
    """The newest graphql audit entry naming ``party`` (committed just after the answer)."""
    deadline = time.monotonic() + 5
    while True:
        entries = [e for e in by_party(db, party, limit=5) if e.kind == "graphql"]
        if entries or time.monotonic() > deadline:
            assert entries, f"no audit entry names {party}"
            return entries[0]
        time.sleep(0.05)


def test_nothing_is_read_when_the_audit_log_cannot_take_the_entry(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def closed(*args: object, **kwargs: object) -> None:
        raise AuditUnavailable("the audit log is closed (the service is stopping)")

    monkeypatch.setattr(api.app.state.security.audit, "submit", closed)
    api.db.query_counts.clear()
    response = api.post(NAME)
    assert response.status_code == 503
    body = response.json()
    assert body["data"] is None
    assert body["errors"][0]["extensions"] == {"code": "audit_unavailable"}
    assert [n for n in api.db.query_counts if n.split("/")[0] not in {"keys", "audit"}] == []


def test_with_audit_wait_an_unconfirmed_entry_withholds_the_answer(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    def failing(*args: object, **kwargs: object) -> Future[object]:
        future: Future[object] = Future()
        future.set_exception(RuntimeError("commit failed"))
        return future

    monkeypatch.setattr(api.app.state.settings, "graphql_audit_wait", True)
    monkeypatch.setattr(api.app.state.security.audit, "submit", failing)
    response = api.post(NAME)
    assert response.status_code == 503
    assert response.json()["data"] is None
