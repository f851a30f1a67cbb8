"""The investigator workbench and the self-hosted API pages (docs/workbench.md).

Serves, from files inside the package and nothing from the internet (government networks
have none):

* ``/`` — the workbench, a static page that is a client of the public API like any other
  (GraphQL at ``/graphql``, REST under ``/v1``); it holds no server-side logic of its own;
* ``/static/…`` — its scripts and styles, and the vendored libraries under
  ``/static/vendor/NAME@VERSION/`` (``graph_service/web/vendor.json``, ``make vendor``);
* ``/graphql`` in a browser — GraphiQL from the vendored copy instead of strawberry's CDN page;
* ``/docs`` — Swagger UI from the vendored copy (ReDoc is disabled: one page is enough);
* ``GET /v1/me`` — who a key belongs to, so the page can greet its user and refuse roles
  that cannot explore.

Caching: a versioned vendor path never changes, so it is cached for a year as immutable; the
page and its own scripts are revalidated on every load (``no-cache`` with an ETag), so a new
release is picked up at once.
"""

from __future__ import annotations

import os
from importlib import resources
from os import PathLike
from pathlib import Path
from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.openapi.docs import get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import FileResponse, HTMLResponse, Response
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from graph_service.gql.endpoint import ServiceGraphQLRouter
from graph_service.security.auth import require_role
from graph_service.security.roles import EXPLORE_ROLES, Caller, Role, allowed

#: The page, its scripts and the vendored libraries: package data, found like the rest.
WEB: Final = Path(str(resources.files("graph_service"))) / "web"
STATIC: Final = WEB / "static"
SWAGGER: Final = "/static/vendor/swagger-ui-dist@5.36.0"

#: A year: the longest lifetime caches honour; ``immutable`` saves even the revalidation.
IMMUTABLE: Final = "public, max-age=31536000, immutable"
#: Use the cached copy only after the server confirms it (ETag): new releases show at once.
REVALIDATE: Final = "no-cache"
#: The workbench may talk to its own origin only; images may be data/blob URLs (PNG export).
WORKBENCH_CSP: Final = (
    "default-src 'self'; img-src 'self' data: blob:; style-src 'self' 'unsafe-inline'; "
    "connect-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"
)

router = APIRouter(include_in_schema=False)
identity = APIRouter(prefix="/v1", tags=["session"])


class CachedStatic(StaticFiles):
    """Static files with the cache policy above (Starlette adds ETag and Last-Modified)."""

    def file_response(
        self,
        full_path: PathLike[str] | str,
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        """The file's response (or 304), with ``Cache-Control`` by where the file lives."""
        response = super().file_response(full_path, stat_result, scope, status_code)
        vendored = Path(full_path).is_relative_to(STATIC / "vendor")
        response.headers["Cache-Control"] = IMMUTABLE if vendored else REVALIDATE
        return response


class SelfHostedGraphQLRouter(ServiceGraphQLRouter):
    """Strawberry's router, with GraphiQL served from the vendored copy (not from a CDN)."""

    async def render_graphql_ide(self, request: Request) -> HTMLResponse:
        """The GraphiQL page (``graph_service/web/graphiql.html``)."""
        del request  # the page is the same for everyone; the key goes in its Headers tab
        return _page("graphiql.html")


@router.get("/")
async def workbench() -> HTMLResponse:
    """The workbench page; everything else happens in the browser through the public API."""
    response = _page("index.html")
    response.headers["Content-Security-Policy"] = WORKBENCH_CSP
    return response


@router.get("/docs")
async def swagger_ui() -> HTMLResponse:
    """The OpenAPI page with Swagger UI from the vendored copy."""
    response = get_swagger_ui_html(
        openapi_url="/openapi.json",
        title="credit-graph — API",
        swagger_js_url=f"{SWAGGER}/swagger-ui-bundle.js",
        swagger_css_url=f"{SWAGGER}/swagger-ui.css",
        swagger_favicon_url=f"{SWAGGER}/favicon-32x32.png",
        oauth2_redirect_url="/docs/oauth2-redirect",
        # No "valid" badge: it would send the spec to an online validator.
        swagger_ui_parameters={"validatorUrl": None},
    )
    response.headers["Cache-Control"] = REVALIDATE
    return response


@router.get("/docs/oauth2-redirect")
async def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 helper page (kept so the page works whole)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/favicon.ico")
async def favicon() -> FileResponse:
    """The tab icon, so browsers asking for it get one rather than a 404 in the console."""
    return FileResponse(STATIC / "app" / "favicon.svg", media_type="image/svg+xml")


@identity.get(
    "/me",
    responses={
        401: {"description": "no valid API key"},
        429: {"description": "rate limit; see Retry-After"},
    },
)
async def me(caller: Annotated[Caller, Depends(require_role(*Role))]) -> dict[str, Any]:
    """Who the presented key belongs to, and whether it may use the workbench (explore)."""
    return {
        "name": caller.name,
        "role": caller.role.value,
        "key_id": caller.key_id,
        "may_explore": allowed(caller.role, EXPLORE_ROLES),
    }


def install(app: FastAPI) -> None:
    """Adds the workbench, its static files, ``/docs`` and ``/v1/me`` to ``app``."""
    app.include_router(router)
    app.include_router(identity)
    app.mount("/static", CachedStatic(directory=STATIC, follow_symlink=False), name="static")


def _page(name: str) -> HTMLResponse:
    """An HTML page of ``graph_service/web/``, revalidated on every load."""
    html = (WEB / name).read_text(encoding="utf-8")
    return HTMLResponse(html, headers={"Cache-Control": REVALIDATE})
