"""The bottom of the GraphQL package: what every type family shares.

Provenance, the ``described`` field helper, and the way a family reaches the ``Party`` and
``Case`` types. Those two types sit *above* the families (a party's fields are the families'
resolvers, and a case lists records), yet the families build party and case objects from the
rows they read. So a family names the types through ``PartyRef``/``CaseRef`` (strawberry's
lazy annotations, resolved when the schema is built) and builds their objects with
:func:`party_of` and :func:`case_of`, which call the constructors ``party.py`` and ``case.py``
register here when their types are defined. The families depend on this module alone and
the package's import graph stays acyclic (tests/graphql/test_module_graph.py): imports point down,
from the schema through party and case to the families and this module.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, Any, Protocol, TypeVar, cast

import strawberry

from graph_service.gql.convert import as_datetime, as_str

if TYPE_CHECKING:
    from graph_service.gql.case import Case
    from graph_service.gql.party import Company, Official, Party, Person

#: A field of type ``Party`` in a family below ``party.py`` (a true mutual reference).
PartyRef = Annotated["Party", strawberry.lazy("graph_service.gql.party")]
#: A field of type ``Case`` in a family below ``case.py`` (a true mutual reference).
CaseRef = Annotated["Case", strawberry.lazy("graph_service.gql.case")]

#: Builds the party object of a node from its labels and properties (``party.party_from``).
PartyBuilder = Callable[[Sequence[str], Mapping[str, Any]], "Company | Person | Official"]

F = TypeVar("F", bound=Callable[..., Any])


class CaseBuilder(Protocol):
    """Builds a case from its properties and, when read with it, its court's row
    (``case.Case.from_props``)."""

    def __call__(self, props: Mapping[str, Any], /, *court: Mapping[str, Any] | None) -> Case:
        """The Case object."""
        ...


def described(description: str) -> Callable[[F], F]:
    """``@strawberry.field(description=...)`` for methods, keeping their types for mypy.

    strawberry's decorator form with arguments is untyped; this applies the same call and
    tells mypy the method is unchanged (strawberry reads the field object at class creation).
    """

    def decorate(method: F) -> F:
        return cast(F, strawberry.field(resolver=method, description=description))

    return decorate


# The walkable relationship types and directions live here, below every family, because both
# the walks (relations) and the tie counts (ties) name them and ties sits below relations.
@strawberry.enum(description="Relationship types an investigator can walk (docs/model.md).")
class RelationType(Enum):
    """Party–party and party–case relationships; records and contacts are not walked."""

    HOLDS_SHARES = "HOLDS_SHARES"
    OFFICER_OF = "OFFICER_OF"
    LEGAL_REP_OF = "LEGAL_REP_OF"
    BRANCH_OF = "BRANCH_OF"
    EMPLOYED_AT = "EMPLOYED_AT"
    SHARES_CONTACT = "SHARES_CONTACT"
    PARTY_TO = "PARTY_TO"
    HANDLED = "HANDLED"
    INTERVENED_IN = "INTERVENED_IN"
    HEARD_BY = "HEARD_BY"


@strawberry.enum(description="Which way to follow relationships from a node.")
class Direction(Enum):
    """OUT follows the stored direction (holder → company), IN the reverse, BOTH either."""

    OUT = "OUT"
    IN = "IN"
    BOTH = "BOTH"


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


@dataclass
class _Builders:
    """The constructors registered by the modules that define the types (once, at import)."""

    party: PartyBuilder | None = None
    case: CaseBuilder | None = None


_BUILDERS = _Builders()


def register_party_builder(builder: PartyBuilder) -> PartyBuilder:
    """Makes ``builder`` the constructor of party objects (a decorator for ``party_from``)."""
    _BUILDERS.party = builder
    return builder


def register_case_builder(builder: CaseBuilder) -> CaseBuilder:
    """Makes ``builder`` the constructor of case objects (``Case.from_props``)."""
    _BUILDERS.case = builder
    return builder


def _unregistered(module: str) -> RuntimeError:
    # A programming error: a family resolved a field before the schema imported its types.
    return RuntimeError(f"{module} is not imported: build the schema (gql/schema.py) first")


def party_of(node: Mapping[str, Any]) -> Company | Person | Official:
    """The Company, Person or Official object of a ``{labels, props}`` row."""
    if _BUILDERS.party is None:
        raise _unregistered("graph_service.gql.party")
    return _BUILDERS.party(node["labels"], node["props"])


def party_or_none(node: Mapping[str, Any] | None) -> Company | Person | Official | None:
    """:func:`party_of`, or None for a missing row."""
    return party_of(node) if node else None


def case_of(props: Mapping[str, Any], *court: Mapping[str, Any] | None) -> Case:
    """The Case object of a case's properties; pass the court's row (or None) when it was
    read with the case, else the court is looked up when asked for."""
    if _BUILDERS.case is None:
        raise _unregistered("graph_service.gql.case")
    return _BUILDERS.case(props, *court)
