"""The workbench's files and routes over real HTTP: vendored libraries as the manifest says,
no other host named anywhere, cache headers, self-hosted GraphiQL and /docs, GET /v1/me, and
the decisions per context that the party card shows."""

from __future__ import annotations

import hashlib
import json
import re

import pytest

from graph_service.api.web import STATIC, WEB
from tests.web.conftest import HUABEI, Service

pytestmark = pytest.mark.neo4j

MANIFEST = json.loads((WEB / "vendor.json").read_text(encoding="utf-8"))
LOCK = json.loads((STATIC / "vendor" / "vendor.lock.json").read_text(encoding="utf-8"))
# Any absolute URL in our own files (the vendored libraries quote URLs in comments and
# messages; what they load is checked in the browser tests).
URL = re.compile(r"""(?:src|href|import|from|url)\s*[=(]?\s*["']?(?:https?:)?//""", re.IGNORECASE)


def test_every_vendored_package_is_in_the_manifest_with_its_licence_and_locked_digests() -> None:
    specs = {f"{p['name']}@{p['version']}" for p in MANIFEST["packages"]}
    folders = {f.name for f in (STATIC / "vendor").iterdir() if f.is_dir()}
    assert folders == specs == set(LOCK)
    for spec in specs:
        files = LOCK[spec]["files"]
        assert "LICENSE" in files, spec
        for name, digest in files.items():
            content = (STATIC / "vendor" / spec / name).read_bytes()
            assert hashlib.sha256(content).hexdigest() == digest, f"{spec}/{name} changed"
        assert LOCK[spec]["integrity"].startswith("sha512-")


def test_our_pages_and_scripts_load_nothing_from_another_host() -> None:
    ours = [WEB / "index.html", WEB / "graphiql.html", *sorted((STATIC / "app").iterdir())]
    for path in ours:
        text = path.read_text(encoding="utf-8")
        assert not URL.search(text), f"{path.name} names another host"


def test_the_workbench_is_served_at_the_root_revalidated_and_confined_to_its_origin(
    service: Service,
) -> None:
    response = service.client.get(f"{service.url}/")
    assert response.status_code == 200
    assert "/static/app/main.js" in response.text
    assert response.headers["cache-control"] == "no-cache"
    csp = response.headers["content-security-policy"]
    assert "default-src 'self'" in csp and "connect-src 'self'" in csp


def test_vendored_files_are_immutable_and_the_apps_own_files_revalidate(service: Service) -> None:
    vendored = service.client.get(
        f"{service.url}/static/vendor/cytoscape@3.35.0/cytoscape.esm.min.mjs"
    )
    assert vendored.status_code == 200
    assert vendored.headers["content-type"].startswith("text/javascript")  # a module script
    assert "immutable" in vendored.headers["cache-control"]
    app = service.client.get(f"{service.url}/static/app/main.js")
    assert app.headers["cache-control"] == "no-cache"
    again = service.client.get(
        f"{service.url}/static/app/main.js", headers={"If-None-Match": app.headers["etag"]}
    )
    assert again.status_code == 304


def test_unknown_static_files_are_404(service: Service) -> None:
    assert service.client.get(f"{service.url}/static/app/nothing.js").status_code == 404
    assert service.client.get(f"{service.url}/static/../pyproject.toml").status_code == 404


def test_graphiql_is_served_from_the_vendored_copy_and_queries_still_work(
    world: Service,
) -> None:
    page = world.client.get(f"{world.url}/graphql", headers={"Accept": "text/html"})
    assert page.status_code == 200
    assert "/static/vendor/graphiql@3.8.3/graphiql.min.js" in page.text
    assert "unpkg" not in page.text and "jsdelivr" not in page.text
    answer = world.client.post(
        f"{world.url}/graphql",
        json={"query": "{ version }"},
        headers={"X-API-Key": world.keys["investigator"]},
    )
    assert answer.json()["data"]["version"]


def test_docs_use_the_vendored_swagger_ui_and_redoc_is_off(service: Service) -> None:
    docs = service.client.get(f"{service.url}/docs")
    assert docs.status_code == 200
    assert "/static/vendor/swagger-ui-dist@5.36.0/swagger-ui-bundle.js" in docs.text
    assert "cdn." not in docs.text and "fastapi.tiangolo.com" not in docs.text
    assert '"validatorUrl": null' in docs.text
    assert service.client.get(f"{service.url}/redoc").status_code == 404
    assert "/v1/me" in service.client.get(f"{service.url}/openapi.json").json()["paths"]


def test_me_names_the_caller_and_says_whether_it_may_explore(world: Service) -> None:
    def me(key: str | None) -> tuple[int, dict[str, object]]:
        headers = {"X-API-Key": key} if key else {}
        response = world.client.get(f"{world.url}/v1/me", headers=headers)
        return response.status_code, response.json()

    status, body = me(world.keys["investigator"])
    assert status == 200
    assert body["role"] == "investigator" and body["may_explore"] is True
    status, body = me(world.keys["checker"])
    assert (status, body["role"], body["may_explore"]) == (200, "checker", False)
    assert me(None)[0] == 401
    assert me("cgk_000000000000_" + "A" * 43)[0] == 401


def test_the_decision_in_each_context_is_the_sanction_checks(world: Service) -> None:
    query = "query($id: String!) { party(id: $id) { ... on Party { creditReport {"
    query += " decisions { context decision measures } } } } }"
    headers = {"X-API-Key": world.keys["investigator"]}
    answer = world.client.post(
        f"{world.url}/graphql", json={"query": query, "variables": {"id": HUABEI}}, headers=headers
    )
    decisions = answer.json()["data"]["party"]["creditReport"]["decisions"]
    contexts = world.client.get(f"{world.url}/v1/contexts", headers=headers).json()["contexts"]
    assert [d["context"] for d in decisions] == contexts
    assert {d["decision"] for d in decisions} >= {"deny"}  # a dishonest debtor is denied somewhere
    for shown in decisions:
        body = {"context": shown["context"], "parties": [HUABEI], "purpose": "web test"}
        check = world.client.post(f"{world.url}/v1/checks", json=body, headers=headers).json()
        assert check["results"][0]["decision"] == shown["decision"], shown["context"]
