"""GraphQL ``contradictions(kind, first, after)``: facts of two sources that contradict (§7).

Read-only, for investigators and admins like the other root lists; pages through the stored
``:Contradiction`` nodes (refreshed after each load, graph_service/explore/contradictions.py)
in a stable order (kind, party, id). An unknown ``kind`` or a cursor this list did not issue
is an ``InvalidInputError`` naming the argument.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Annotated, Any

import strawberry
from strawberry.scalars import JSON

from graph_service.analysis.contradictions import KINDS
from graph_service.explore.contradictions import as_plain
from graph_service.gql.context import Info
from graph_service.gql.convert import as_datetime
from graph_service.gql.inputs import ArgumentError, InvalidInputError
from graph_service.gql.pagination import Connection, connection, page
from graph_service.gql.ties import After, First


@strawberry.type(description="Where one row of a contradiction comes from.")
class RowSource:
    """A row's provenance: file, line, load and registry kind."""

    file: str | None
    row: int | None
    load_id: str | None
    kind: str | None = strawberry.field(description="Registry kind of the file.")


@strawberry.type(description="Facts of two sources that cannot both be true (never a decision).")
class Contradiction:
    """One stored contradiction (due process §7)."""

    id: strawberry.ID
    kind: str = strawberry.field(description=f"One of: {', '.join(KINDS)}.")
    party_id: strawberry.ID = strawberry.field(description="The party it is about.")
    summary: str
    details: JSON = strawberry.field(description="What contradicts: names, dates, sums …")
    rows: list[RowSource] = strawberry.field(description="The rows involved, with provenance.")
    refreshed_at: datetime | None


@strawberry.type(description="One page of contradictions.")
class ContradictionConnection(Connection[Contradiction]):
    """Named so that it can be a member of the ContradictionResult union."""


ContradictionResult = Annotated[
    ContradictionConnection | InvalidInputError, strawberry.union("ContradictionResult")
]

Kind = Annotated[
    str | None, strawberry.argument(description=f"Only this kind: {', '.join(KINDS)}.")
]


async def contradictions(
    info: Info, kind: Kind = None, first: First = None, after: After = None
) -> ContradictionResult:
    """Contradictions between sources, by kind and party, with the rows' provenance."""
    try:
        if kind is not None and kind not in KINDS:
            raise ArgumentError(
                "kind", f"is not a kind of contradiction; one of {', '.join(KINDS)}"
            )
        at = page(first, after)
    except ArgumentError as error:
        return InvalidInputError.of(error)
    rows = await info.context.read(
        "contradictions/page", kind=kind, offset=at.offset, limit=at.limit
    )
    (count,) = await info.context.read("contradictions/count", kind=kind)
    items = [_contradiction(r["props"]) for r in rows]
    found = connection(items, at, int(count["total"]))
    return ContradictionConnection(
        edges=found.edges, page_info=found.page_info, total_count=found.total_count
    )


def _contradiction(props: Mapping[str, Any]) -> Contradiction:
    plain = as_plain(props)
    return Contradiction(
        id=strawberry.ID(str(plain["contradiction_id"])),
        kind=str(plain["kind"]),
        party_id=strawberry.ID(str(plain["party_id"])),
        summary=str(plain["summary"]),
        details=plain["details"],
        rows=[
            RowSource(**{k: p.get(k) for k in ("file", "row", "load_id", "kind")})
            for p in plain["provenance"]
        ],
        refreshed_at=as_datetime(props.get("refreshed_at")),
    )
