"""Small types shared by every family: provenance and the constructors of party and case
objects from rows (``{labels, props}``), which break the import cycle between families."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar, cast

import strawberry

from graph_service.gql.convert import as_datetime, as_str

if TYPE_CHECKING:
    from graph_service.gql.case import Case
    from graph_service.gql.party import Company, Official, Person

F = TypeVar("F", bound=Callable[..., Any])


def described(description: str) -> Callable[[F], F]:
    """``@strawberry.field(description=...)`` for methods, keeping their types for mypy.

    strawberry's decorator form with arguments is untyped; this applies the same call and
    tells mypy the method is unchanged (strawberry reads the field object at class creation).
    """

    def decorate(method: F) -> F:
        return cast(F, strawberry.field(resolver=method, description=description))

    return decorate


@strawberry.type(description="Where a node or relationship came from: the registry row.")
class Provenance:
    """The loader's stamp on every node and relationship (docs/model.md)."""

    src_kind: str | None = strawberry.field(description="Registry kind, e.g. shareholdings.")
    src_file: str | None = strawberry.field(description="File name the row was read from.")
    src_row: int | None = strawberry.field(description="Line of the row in that file.")
    load_id: str | None = strawberry.field(description="Id of the load (see `credit-graph loads`).")
    loaded_at: datetime | None = strawberry.field(description="When that load ran.")


def provenance(props: Mapping[str, Any]) -> Provenance | None:
    """The provenance stamped on ``props``, None when nothing was stamped."""
    if props.get("load_id") is None and props.get("src_kind") is None:
        return None
    row = props.get("src_row")
    return Provenance(
        src_kind=as_str(props.get("src_kind")),
        src_file=as_str(props.get("src_file")),
        src_row=int(row) if isinstance(row, int) else None,
        load_id=as_str(props.get("load_id")),
        loaded_at=as_datetime(props.get("loaded_at")),
    )


def party_of(node: Mapping[str, Any]) -> Company | Person | Official:
    """The Company, Person or Official object of a ``{labels, props}`` row."""
    from graph_service.gql.party import party_from  # deferred: party imports every family

    return party_from(node["labels"], node["props"])


def party_or_none(node: Mapping[str, Any] | None) -> Company | Person | Official | None:
    """:func:`party_of`, or None for a missing row."""
    return party_of(node) if node else None


def case_of(props: Mapping[str, Any], *court: Mapping[str, Any] | None) -> Case:
    """The Case object of a case's properties; pass the court's row (or None) when it was
    read with the case, else the court is looked up when asked for."""
    from graph_service.gql.case import Case  # deferred: case imports party, which imports case

    return Case.from_props(props, court[0] if court else None, court_read=bool(court))
