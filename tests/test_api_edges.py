"""The API's edges (issue #12, item 5), as a client and an operator see them:

* no refusal repeats a value sent (REST, GraphQL, path, query string, body, operation);
* one error shape for every refusal of the HTTP layer and the REST API;
* the GraphQL depth limit is exactly the documented ten levels;
* GraphQL operations are not taken over GET, and the access log never holds a query string;
* a GraphQL operation is authorised as a whole before anything runs;
* ``/openapi.json`` documents the statuses and the context enum (the schemathesis run over
  the whole API is tests/test_schemathesis.py).
"""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient

from graph_service.app import create_app
from graph_service.check.request import CONTEXTS
from graph_service.db import Database
from graph_service.gql.limits import MAX_QUERY_DEPTH, levels
from graph_service.security.appender import HEAD_NAME, AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import create_key
from graph_service.security.roles import Role
from graph_service.settings import Settings
from tests.conftest import ROOT, cli_env, make_settings
from tests.servers import free_port, wait_until_up

pytestmark = pytest.mark.neo4j

#: A valid resident id number: what must never come back in an error.
SECRET_ID = "130102197203158350"
#: A valid USCC, unknown to the (empty) graph.
COMPANY = "91130102RG8E64XKKR"
#: Text that stands for personal data in other places (a context, an enum, a purpose).
SECRET_TEXT = "张伟的秘密"
TEST_ACTOR = Actor("api-edge-tests", "operator")


@pytest.fixture
def app(neo4j_settings: Settings, db: Database, tmp_path: Path) -> FastAPI:
    """The service on an emptied graph, with a receipt key of its own."""
    del neo4j_settings, db  # the running Neo4j, emptied
    return create_app(make_settings(receipt_key_file=tmp_path / "receipt.pem"))


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as test_client:
        yield test_client


@pytest.fixture
def keys(db: Database) -> dict[Role, dict[str, str]]:
    """The API key header of one key per role."""
    made = {}
    with AuditLog(db) as audit:
        for role in (Role.CHECKER, Role.INVESTIGATOR, Role.ADMIN):
            key, _ = create_key(audit, TEST_ACTOR, f"edges-{role.value}", role)
            made[role] = {"X-API-Key": key}
    return made


def check_body(**overrides: Any) -> dict[str, Any]:
    return {"context": "bidding", "parties": [COMPANY], "purpose": "tender 7", **overrides}


def graphql(client: TestClient, query: str, key: dict[str, str], **body: Any) -> httpx.Response:
    return client.post("/graphql", json={"query": query, **body}, headers=key)


# --- no value sent comes back --------------------------------------------------------------------


def test_an_unknown_context_is_not_repeated(
    client: TestClient, keys: dict[Role, dict[str, str]]
) -> None:
    checker = keys[Role.CHECKER]
    rest = client.post("/v1/checks", json=check_body(context=SECRET_TEXT), headers=checker)
    assert rest.status_code == 422
    assert rest.json()["fields"] == ["context"]
    assert "government_procurement" in rest.json()["message"]  # the known ones are named
    query = f'{{ sanctionCheck(context: "{SECRET_TEXT}", parties: ["{COMPANY}"], purpose: "p")'
    query += " { ... on InvalidInputError { argument message } } }"
    typed = graphql(client, query, checker).json()["data"]["sanctionCheck"]
    assert typed["argument"] == "context"
    for answer in (rest.text, str(typed)):
        assert SECRET_TEXT not in answer


REST_ECHOES = [
    ("GET", f"/v1/checks/{SECRET_ID}", None),
    ("POST", f"/v1/checks/{SECRET_ID}/feedback", {"party_id": SECRET_ID}),
    ("GET", f"/v1/reports/{SECRET_ID[:17]}1", None),  # fails its check digit
    ("GET", f"/v1/reports/{COMPANY}?as_of=2999-12-31&format=pdf", None),
    ("POST", "/v1/checks", check_body(parties=[SECRET_ID * 4])),
    ("POST", "/v1/checks", check_body(as_of=f"{SECRET_ID[:4]}-13-01")),
    ("GET", f"/v1/reports/{SECRET_ID}", None),  # valid, and unknown to the empty graph
    ("GET", f"/v1/{SECRET_ID}", None),
]


@pytest.mark.parametrize(("method", "path", "body"), REST_ECHOES)
def test_rest_refusals_do_not_repeat_values(
    client: TestClient,
    keys: dict[Role, dict[str, str]],
    method: str,
    path: str,
    body: dict[str, Any] | None,
) -> None:
    response = client.request(method, path, json=body, headers=keys[Role.ADMIN])
    assert 400 <= response.status_code < 500, response.text
    assert SECRET_ID not in response.json()["message"]
    assert "2999-12-31" not in response.json()["message"]


def test_feedback_refusals_name_fields_not_values(
    client: TestClient, keys: dict[Role, dict[str, str]]
) -> None:
    checker = keys[Role.CHECKER]
    check_id = client.post("/v1/checks", json=check_body(), headers=checker).json()["check_id"]
    url = f"/v1/checks/{check_id}/feedback"
    stranger = client.post(url, json={"party_id": SECRET_ID}, headers=checker)
    unknown = client.post(
        url, json={"party_id": COMPANY, "applied": [SECRET_TEXT]}, headers=checker
    )
    assert (stranger.status_code, unknown.status_code) == (409, 409)
    assert SECRET_ID not in stranger.text
    assert (
        unknown.json()["message"] == "the measures at applied[0] were not returned for this party"
    )


GRAPHQL_ECHOES = [
    # a literal of the wrong type, a variable of the wrong type, a bad enum value
    ({"query": f"{{ party(id: {SECRET_ID}) {{ __typename }} }}"}),
    (
        {
            "query": "query ($i: String!) { party(id: $i) { __typename } }",
            "variables": {"i": int(SECRET_ID)},
        }
    ),
    (
        {
            "query": "query ($i: String!) { party(id: $i) { __typename } }",
            "variables": {"i": [SECRET_ID]},
        }
    ),
    (
        {
            "query": f'{{ party(id: "{COMPANY}") {{ ... on Party {{'
            f" neighbours(types: [ZHANG{SECRET_ID}]) {{ __typename }} }} }} }}"
        }
    ),
    ({"query": f'{{ measureChanges(since: "{SECRET_ID}") {{ __typename }} }}'}),
    # syntax errors naming a token
    ({"query": f'{{ "{SECRET_ID}" }}'}),
    ({"query": f'{{ party(id: "{SECRET_ID}" }}'}),
    # an operation name the document does not have
    ({"query": "{ version }", "operationName": f"Q{SECRET_ID}"}),
]


@pytest.mark.parametrize("body", GRAPHQL_ECHOES)
def test_graphql_errors_do_not_repeat_values(
    client: TestClient, keys: dict[Role, dict[str, str]], body: dict[str, Any]
) -> None:
    response = client.post("/graphql", json=body, headers=keys[Role.INVESTIGATOR])
    assert response.status_code in (200, 400), response.text
    answer = response.json()
    assert answer.get("errors") or answer.get("error"), answer
    for text in (SECRET_ID, SECRET_ID[:4]):
        assert text not in response.text


# --- one error shape -----------------------------------------------------------------------------

NOT_UTF8 = b'{"context": "\xff\xfe"}'
JSON = {"Content-Type": "application/json"}

SHAPES = [
    # method, path, request arguments, status, code
    ("GET", "/no/such/path", {}, 404, "not_found"),
    ("GET", "/static/app/no-such-file.js", {}, 404, "not_found"),
    ("PUT", "/v1/checks", {}, 405, "method_not_allowed"),
    ("DELETE", "/graphql", {}, 405, "method_not_allowed"),
    ("POST", "/v1/checks", {"content": NOT_UTF8, "headers": JSON}, 400, "bad_request"),
    ("POST", "/graphql", {"content": NOT_UTF8, "headers": JSON}, 400, "bad_request"),
    ("POST", "/graphql", {"content": b'{"query": ', "headers": JSON}, 400, "bad_request"),
    ("POST", "/graphql", {"content": b'"a string"', "headers": JSON}, 400, "bad_request"),
    ("POST", "/graphql", {"json": {"variables": {}}}, 400, "bad_request"),
    ("POST", "/graphql", {"content": b"{ version }"}, 400, "bad_request"),
    ("POST", "/graphql", {"json": {"query": "{ version }", "variables": "x"}}, 400, "bad_request"),
    ("GET", "/graphql?query=%7Bversion%7D", {}, 400, "bad_request"),
    ("POST", "/v1/checks", {"content": b"{not json", "headers": JSON}, 422, "invalid_input"),
    (
        "POST",
        "/v1/checks",
        {"content": b"x" * 1_100_000, "headers": JSON},
        413,
        "payload_too_large",
    ),
    (
        "GET",
        "/v1/contexts",
        {"headers": {"X-API-Key": "cgk_0123456789ab_x"}},
        401,
        "unauthenticated",
    ),
]


@pytest.mark.parametrize(("method", "path", "arguments", "status", "code"), SHAPES)
def test_every_refusal_has_the_one_error_shape(
    client: TestClient, method: str, path: str, arguments: dict[str, Any], status: int, code: str
) -> None:
    response = client.request(method, path, **arguments)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/json"
    body = response.json()
    assert body["error"] == code
    assert isinstance(body["message"], str) and body["message"]
    assert set(body) <= {"error", "message", "fields"}


def test_a_405_names_every_method_of_the_path(client: TestClient) -> None:
    graphql_405 = client.request("OPTIONS", "/graphql")
    assert graphql_405.status_code == 405
    assert graphql_405.headers["Allow"] == "GET, POST"
    assert client.put("/v1/checks").headers["Allow"] == "POST"


def test_role_and_rate_refusals_have_the_same_shape(
    neo4j_settings: Settings, db: Database, keys: dict[Role, dict[str, str]], tmp_path: Path
) -> None:
    del neo4j_settings, db
    settings = make_settings(
        receipt_key_file=tmp_path / "receipt.pem", rate_limit_per_s=0.01, rate_limit_burst=1
    )
    with TestClient(create_app(settings)) as client:
        forbidden = client.get(f"/v1/checks/{SECRET_ID}", headers=keys[Role.CHECKER])
        client.get("/v1/contexts", headers=keys[Role.ADMIN])
        limited = client.get("/v1/contexts", headers=keys[Role.ADMIN])
    assert (forbidden.status_code, forbidden.json()["error"]) == (403, "forbidden")
    assert (limited.status_code, limited.json()["error"]) == (429, "rate_limited")
    assert "Retry-After" in limited.headers
    assert set(forbidden.json()) == set(limited.json()) == {"error", "message"}


# --- the depth limit -----------------------------------------------------------------------------

_LEAF = {"holdings": "totalCount", "nodes": "stakePct", "company": "name"}


def nested(depth: int) -> str:
    """A valid query of exactly ``depth`` levels: party → holdings → nodes → company → …"""
    path = [("holdings", "nodes", "company")[i % 3] for i in range(depth - 2)]
    inner = _LEAF[path[-1]] if path else "name"
    for field in reversed(path):
        inner = f"{field} {{ {inner} }}"
    return f'{{ party(id: "{COMPANY}") {{ ... on Party {{ {inner} }} }} }}'


@pytest.mark.parametrize("depth", [2, 5, 10, 11, 14])
def test_levels_are_counted_as_documented(depth: int) -> None:
    from graphql import parse

    assert levels(parse(nested(depth))) == {"anonymous": min(depth, MAX_QUERY_DEPTH + 1)}


def test_ten_levels_pass_and_eleven_are_refused(
    app: FastAPI, client: TestClient, keys: dict[Role, dict[str, str]]
) -> None:
    investigator = keys[Role.INVESTIGATOR]
    ten = graphql(client, nested(MAX_QUERY_DEPTH), investigator)
    assert ten.status_code == 200
    assert ten.json() == {"data": {"party": None}}  # ran: the party is unknown
    app.state.db.query_counts.clear()
    eleven = graphql(client, nested(MAX_QUERY_DEPTH + 1), investigator).json()
    assert eleven["data"] is None
    assert eleven["errors"][0]["message"] == (
        "'anonymous' exceeds maximum operation depth of 10 levels"
    )
    assert [n for n in app.state.db.query_counts if not n.startswith(("keys/", "audit/"))] == []


# --- GraphQL over GET ----------------------------------------------------------------------------

GET_CHECK = (
    f'{{ sanctionCheck(context: "bidding", parties: ["{SECRET_ID}"], purpose: "{SECRET_TEXT}")'
    " { __typename } }"
)


def test_operations_are_not_taken_over_get(
    app: FastAPI, client: TestClient, keys: dict[Role, dict[str, str]], db: Database
) -> None:
    head = db.read("audit/head", name=HEAD_NAME)
    app.state.db.query_counts.clear()
    response = client.get("/graphql", params={"query": GET_CHECK}, headers=keys[Role.ADMIN])
    assert response.status_code == 400
    assert response.json()["error"] == "bad_request"
    assert "POST" in response.json()["message"]
    assert [n for n in app.state.db.query_counts if not n.startswith("keys/")] == []
    assert db.read("audit/head", name=HEAD_NAME) == head  # no check was made
    page = client.get("/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200 and "graphiql" in page.text.lower()  # the IDE still loads


def test_the_access_log_holds_no_query_string(neo4j_settings: Settings) -> None:
    del neo4j_settings  # the running Neo4j
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "graph_service.cli", "serve", "--port", str(port)],
        cwd=ROOT,
        env=cli_env(CREDIT_GRAPH_LOG_LEVEL="INFO"),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        url = f"http://127.0.0.1:{port}"
        wait_until_up(f"{url}/healthz", timeout_s=30.0)
        refused = httpx.get(f"{url}/graphql", params={"query": GET_CHECK})
        httpx.get(f"{url}/v1/reports/{COMPANY}", params={"as_of": SECRET_ID})
    finally:
        server.terminate()
        _, log = server.communicate(timeout=30)
    assert refused.status_code == 400
    lines = [json.loads(line) for line in log.splitlines() if line.startswith("{")]
    access = [line["message"] for line in lines if line["logger"] == "uvicorn.access"]
    # the requests are logged, without their query strings
    assert any(m.endswith('"GET /graphql HTTP/1.1" 400') for m in access), access
    # a party id in a path is logged as its template (personal data for a person)
    assert any(m.endswith('"GET /v1/reports/{party_id} HTTP/1.1" 401') for m in access), access
    for secret in (SECRET_ID, "purpose", "%E5%BC%A0", SECRET_TEXT, COMPANY):
        assert secret not in log


# --- authorised as a whole -----------------------------------------------------------------------

MIXED = (
    f'{{ sanctionCheck(context: "bidding", parties: ["{COMPANY}"], purpose: "p") {{ __typename }}'
    f' party(id: "{COMPANY}") {{ __typename }} }}'
)
HIDDEN = (
    f'{{ sanctionCheck(context: "bidding", parties: ["{COMPANY}"], purpose: "p") {{ __typename }}'
    f' ... on Query {{ party(id: "{COMPANY}") {{ __typename }} }} }}'
)


@pytest.mark.parametrize("query", [MIXED, HIDDEN], ids=["side by side", "in a fragment"])
def test_a_checker_query_with_a_forbidden_field_runs_nothing(
    app: FastAPI, client: TestClient, keys: dict[Role, dict[str, str]], db: Database, query: str
) -> None:
    head = db.read("audit/head", name=HEAD_NAME)
    app.state.db.query_counts.clear()
    response = graphql(client, query, keys[Role.CHECKER])
    assert response.status_code == 403
    body = response.json()
    assert body["data"] is None  # sanctionCheck cannot be null: the whole answer is
    assert [e["extensions"]["code"] for e in body["errors"]] == ["forbidden"]
    assert body["errors"][0]["path"] == ["party"]
    assert [n for n in app.state.db.query_counts if not n.startswith("keys/")] == []
    assert db.read("audit/head", name=HEAD_NAME) == head  # no check made, nothing logged


def test_without_a_key_nothing_runs_and_public_fields_wait_too(
    client: TestClient, keys: dict[Role, dict[str, str]]
) -> None:
    response = graphql(client, f'{{ version party(id: "{COMPANY}") {{ __typename }} }}', {})
    assert response.status_code == 401
    assert response.json()["data"] is None  # version cannot be null
    assert response.json()["errors"][0]["extensions"]["code"] == "unauthenticated"
    both = graphql(client, MIXED, keys[Role.INVESTIGATOR])
    assert both.status_code == 200 and "errors" not in both.json()  # an investigator may


# --- OpenAPI -------------------------------------------------------------------------------------


def test_openapi_documents_the_context_enum_and_the_statuses(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    request = spec["components"]["schemas"]["CheckRequest"]["properties"]
    assert request["context"]["enum"] == list(CONTEXTS)
    paths = spec["paths"]
    assert {"400", "404"} <= set(paths["/v1/checks/{check_id}"]["get"]["responses"])
    assert {"400", "404", "409"} <= set(
        paths["/v1/checks/{check_id}/feedback"]["post"]["responses"]
    )
    post = paths["/graphql"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"]["required"] == ["query"]
    assert {"200", "400", "401", "403", "429"} <= set(post["responses"])
    assert "text/html" in paths["/graphql"]["get"]["responses"]["200"]["content"]
