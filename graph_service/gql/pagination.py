"""Relay cursor connections (``edges { cursor node }``, ``pageInfo``) for every long list.

Lists are read one page at a time: ``first`` (at most :data:`MAX_PAGE_SIZE`) items after the
opaque cursor ``after``. A cursor encodes the offset of its item in a stable order (each named
query states its order), so a client pages forward by passing ``pageInfo.endCursor``.
Keyset-paginated lists (the change log) build their own cursors with :func:`encode` and
:func:`decode`.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

import strawberry

from graph_service.gql.inputs import ArgumentError, bounded
from graph_service.gql.limits import DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE
from graph_service.gql.shared import described

T = TypeVar("T")


@strawberry.type(description="Where a page sits in its list (Relay).")
class PageInfo:
    """Relay page information."""

    has_next_page: bool
    has_previous_page: bool
    start_cursor: str | None
    end_cursor: str | None


@strawberry.type(description="An item of a page and the cursor to continue after it.")
class Edge(Generic[T]):
    """A Relay edge."""

    cursor: str
    node: T


@strawberry.type(description="One page of a list (Relay connection).")
class Connection(Generic[T]):
    """A Relay connection; ``total_count`` is null where counting would cost a scan."""

    edges: list[Edge[T]]
    page_info: PageInfo
    total_count: int | None = strawberry.field(
        description="Items in the whole list (null where counting would be expensive)."
    )

    @described("The items of this page, without cursors.")
    def nodes(self) -> list[T]:
        """The page's nodes, for clients that do not need cursors."""
        return [edge.node for edge in self.edges]


@dataclass(frozen=True)
class Page:
    """Which slice of a list to read: ``limit`` items from ``offset``."""

    offset: int
    limit: int


def encode(value: Any) -> str:
    """An opaque cursor for a JSON-able value.

    >>> decode(encode({"o": 20}))
    {'o': 20}
    """
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def decode(cursor: str, argument: str = "after") -> Any:
    """The value inside a cursor made by :func:`encode`; a malformed one is an argument error."""
    try:
        return json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (binascii.Error, ValueError, UnicodeDecodeError):
        raise ArgumentError(argument, "is not a cursor this API issued") from None


def page(first: int | None, after: str | None) -> Page:
    """The slice for Relay arguments ``first`` / ``after``.

    >>> page(None, None), page(10, encode({"o": 19}))
    (Page(offset=0, limit=20), Page(offset=20, limit=10))
    """
    limit = bounded(DEFAULT_PAGE_SIZE if first is None else first, "first", 1, MAX_PAGE_SIZE)
    if after is None:
        return Page(0, limit)
    value = decode(after)
    if not isinstance(value, dict) or not isinstance(value.get("o"), int) or value["o"] < 0:
        raise ArgumentError("after", "is not a cursor of this list")
    return Page(value["o"] + 1, limit)


def connection(
    items: Sequence[T],
    at: Page,
    total: int | None,
    more: bool | None = None,
) -> Connection[T]:
    """The connection of one page of ``items`` read at ``at``.

    ``more`` says whether items follow; by default it is computed from ``total``.

    >>> c = connection(["a", "b"], Page(0, 2), total=3)
    >>> [e.node for e in c.edges], c.page_info.has_next_page, c.total_count
    (['a', 'b'], True, 3)
    """
    edges = [Edge(cursor=encode({"o": at.offset + i}), node=item) for i, item in enumerate(items)]
    if more is None:
        more = total is not None and at.offset + len(items) < total
    info = PageInfo(
        has_next_page=more,
        has_previous_page=at.offset > 0,
        start_cursor=edges[0].cursor if edges else None,
        end_cursor=edges[-1].cursor if edges else None,
    )
    return Connection(edges=edges, page_info=info, total_count=total)
