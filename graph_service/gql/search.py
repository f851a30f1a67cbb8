"""Full-text search over party names (index ``party_names``, cjk analyzer).

The analyzer indexes Chinese names as overlapping character pairs, so a quoted phrase of two
or more characters matches wherever it occurs in a name: 华北建设 finds
石家庄华北建设工程有限公司, with no pinyin or word segmentation. Every word of the input becomes
one quoted phrase (special characters escaped), all of which must match; hits are ranked by
Lucene's score, ties by party id so that pages are stable.
"""

from __future__ import annotations

from typing import Annotated

import strawberry

from graph_service.gql.context import Info
from graph_service.gql.inputs import ArgumentError, InvalidInputError
from graph_service.gql.pagination import Connection, connection, page
from graph_service.gql.party import Party, PartyKind
from graph_service.gql.shared import party_of
from graph_service.gql.ties import After, First

#: Longest input accepted, and most words: a name, not a document.
MAX_TEXT = 100
MAX_WORDS = 8


@strawberry.type(description="A party found by name, with its relevance score.")
class SearchHit:
    """One search result."""

    party: Party
    score: float


def lucene_query(text: str) -> str:
    """A Lucene query matching names that contain every word of ``text`` as a phrase.

    Inside quotes only ``\\`` and ``"`` are special; each is escaped, so no input can change
    the query's structure.

    >>> lucene_query(" 华北建设  工程 ")
    '"华北建设" AND "工程"'
    >>> lucene_query('a"b OR c*')
    '"a\\\\"b" AND "OR" AND "c*"'
    >>> lucene_query("华")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    graph_service.gql.inputs.ArgumentError: text: each word needs at least 2 characters ...
    """
    words = text.split()
    if not words or len(text) > MAX_TEXT or len(words) > MAX_WORDS:
        raise ArgumentError("text", f"give 1–{MAX_WORDS} words, at most {MAX_TEXT} characters")
    if any(len(word) < 2 for word in words):
        raise ArgumentError(
            "text", "each word needs at least 2 characters (names are indexed as character pairs)"
        )
    escaped = (word.replace("\\", "\\\\").replace('"', '\\"') for word in words)
    return " AND ".join(f'"{word}"' for word in escaped)


@strawberry.type(description="One page of search hits.")
class SearchHitConnection(Connection[SearchHit]):
    """Named so that it can be a member of the SearchResult union (strawberry cannot tell a
    generic type's parameter from an instance)."""


SearchResult = Annotated[SearchHitConnection | InvalidInputError, strawberry.union("SearchResult")]


async def search_parties(
    info: Info,
    text: Annotated[str, strawberry.argument(description="Words of the name, e.g. 华北建设.")],
    kind: PartyKind | None = None,
    district: Annotated[
        str | None, strawberry.argument(description="District code or its prefix (1301 = city).")
    ] = None,
    org_kind: Annotated[
        str | None, strawberry.argument(description="e.g. enterprise, court.")
    ] = None,
    has_active_measure: Annotated[
        bool | None, strawberry.argument(description="With (true) or without (false) measures.")
    ] = None,
    first: First = None,
    after: After = None,
) -> SearchResult:
    """Parties whose name contains the words, best match first."""
    try:
        query, at = lucene_query(text), page(first, after)
    except ArgumentError as error:
        return InvalidInputError.of(error)
    rows = await info.context.read(
        "search/parties",
        query=query,
        kind=kind.value if kind else None,
        district=district.strip() if district else None,
        org_kind=org_kind,
        has_measure=has_active_measure,
        today=info.context.today,
        offset=at.offset,
        limit=at.limit + 1,  # one more than the page: tells whether another page follows
    )
    hits = [SearchHit(party=party_of(r), score=float(r["score"])) for r in rows[: at.limit]]
    page_of = connection(hits, at, total=None, more=len(rows) > at.limit)
    return SearchHitConnection(
        edges=page_of.edges, page_info=page_of.page_info, total_count=page_of.total_count
    )
