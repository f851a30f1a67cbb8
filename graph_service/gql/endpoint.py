"""The ``/graphql`` HTTP endpoint: strawberry's FastAPI router with the service's edges.

* **Operations are sent with POST.** A GET carrying a query would put the operation — party
  ids, a check's purpose — into the URL, and with it into proxies' and servers' access logs
  and browser histories. GET serves the GraphiQL page (a browser asking for HTML) and refuses
  anything else with 400 ``bad_request`` (the service's own access log drops query strings
  anyway: :func:`graph_service.logs.hide_query_strings`).
* **One error shape.** strawberry answers a body it cannot read (not JSON, not UTF-8, no
  query, variables that are not an object) in plain text, and a body that is not UTF-8 with
  a 500; here each is a :class:`~graph_service.errors.BadRequest`, which the app answers like
  every refusal of the HTTP layer: ``{"error": "bad_request", "message": …}``. An operation
  that was read gets GraphQL's shape (``errors`` with ``extensions.code``), refused or not.
* **Documented.** OpenAPI describes the request body and every status the endpoint answers.
"""

from __future__ import annotations

import json
import re
from typing import Any, Final

from cross_web import AsyncHTTPRequestAdapter, HTTPException
from fastapi.responses import Response
from fastapi.routing import APIRoute
from strawberry.fastapi import GraphQLRouter
from strawberry.http import GraphQLRequestData
from strawberry.types.unset import UNSET

from graph_service.errors import BadRequest
from graph_service.gql.context import Context

#: Why a GET with an operation is refused (the message of its 400).
GET_REFUSED: Final = (
    "send GraphQL operations with POST (a JSON body); GET only serves the GraphiQL page,"
    " so that no query — party ids included — ends up in a URL"
)
#: A quoted word in strawberry's refusals (``Unknown operation named "x".``): the value sent.
_QUOTED: Final = re.compile(r"'[^']*'|\"[^\"]*\"")

_ERROR_BODY: Final = {
    "type": "object",
    "required": ["error", "message"],
    "properties": {"error": {"type": "string"}, "message": {"type": "string"}},
}
_GRAPHQL_BODY: Final = {
    "type": "object",
    "properties": {
        "data": {"type": ["object", "null"]},
        "errors": {"type": "array", "items": {"type": "object"}},
    },
}
#: The request body of ``POST /graphql`` (GraphQL over HTTP).
REQUEST_BODY: Final = {
    "required": True,
    "content": {
        "application/json": {
            "schema": {
                "type": "object",
                "required": ["query"],
                "properties": {
                    "query": {"type": "string", "minLength": 1, "description": "the document"},
                    "variables": {"type": ["object", "null"]},
                    "operationName": {
                        "type": ["string", "null"],
                        "description": "which operation of the document to run",
                    },
                },
            }
        }
    },
}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


#: Every status of ``POST /graphql``. A 401 or 403 refuses the operation as a whole, before
#: anything ran (graph_service/gql/context.py).
POST_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: _json("the answer: data, and errors with extensions.code", _GRAPHQL_BODY),
    400: _json(
        "the body is not a GraphQL request (not JSON in UTF-8, no query, an operationName"
        " naming no operation of the document)",
        _ERROR_BODY,
    ),
    401: _json("the operation needs an API key; nothing ran", _GRAPHQL_BODY),
    403: _json(
        "the key's role may not use a root field of the operation; nothing ran", _GRAPHQL_BODY
    ),
    413: _json("body too large", _ERROR_BODY),
    429: _json("rate limit; see Retry-After", _ERROR_BODY),
    503: _json("the audit log or Neo4j is unavailable; see Retry-After", _GRAPHQL_BODY),
}
#: Every status of ``GET /graphql``.
GET_RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    200: {
        "description": "the GraphiQL page (for a browser asking for HTML)",
        "content": {"text/html": {"schema": {"type": "string"}}},
    },
    400: _json("an operation sent with GET: send it with POST", _ERROR_BODY),
    429: _json("rate limit; see Retry-After", _ERROR_BODY),
}


#: Where the GraphQL API is served (the router's own path; see gql/schema.py).
PATH = "/graphql"


class ServiceGraphQLRouter(GraphQLRouter[Context, None]):
    """strawberry's router with POST-only operations, the service's error shape and full
    OpenAPI documentation (see the module's docstring)."""

    #: The sub-response of the request being run: strawberry's endpoint sets it just before
    #: :meth:`run` reads it, in the same step (graph_service/gql/fast_path.py does the same).
    temporal_response: Response

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs["allow_queries_via_get"] = False
        super().__init__(*args, **kwargs)
        for route in self.routes:
            if isinstance(route, APIRoute):
                _document(route)

    async def run(self, request: Any, context: Any = UNSET, root_value: Any = UNSET) -> Any:
        """strawberry's handling of a request; its plain-text refusals become BadRequest."""
        try:
            return await super().run(request, context, root_value)
        except HTTPException as exc:
            raise BadRequest(_QUOTED.sub("…", exc.reason)) from None

    async def parse_http_body(
        self, request: AsyncHTTPRequestAdapter
    ) -> GraphQLRequestData | list[GraphQLRequestData]:
        """The operation of a POST; a GET that is not a page view is refused here."""
        if request.method == "GET":
            raise BadRequest(GET_REFUSED)
        data = await super().parse_http_body(request)
        for operation in data if isinstance(data, list) else [data]:
            if not isinstance(operation.operation_name, str | None):  # strawberry lets it by
                raise BadRequest("operationName must be a string or null")
        return data

    def decode_json(self, data: str | bytes) -> object:
        """The JSON body: an object (or a list, which strawberry refuses as a batch). Bytes that
        are not UTF-8 and any other JSON value are refused (strawberry would answer 500)."""
        try:
            body = json.loads(data)
        except UnicodeDecodeError:
            raise BadRequest("the body is not UTF-8: send JSON encoded as UTF-8") from None
        if not isinstance(body, dict | list):
            raise BadRequest('the body must be a JSON object: {"query": …, "variables": …}')
        return body


def _document(route: APIRoute) -> None:
    """Sets the OpenAPI description of one of the router's routes."""
    methods = route.methods or set()
    if "POST" in methods:
        route.responses = dict(POST_RESPONSES)
        route.openapi_extra = {"requestBody": REQUEST_BODY}
        route.summary = "Run one GraphQL operation (docs/graphql.md)"
    elif "GET" in methods:
        route.responses = dict(GET_RESPONSES)
        route.summary = "The GraphiQL page"
