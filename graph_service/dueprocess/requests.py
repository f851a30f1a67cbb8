"""What a caller may send about due process: repair applications, objections, and the
decisions on them (docs/due-process.md). Valid by construction: REST gets these from FastAPI's
body parsing (422 naming the field), the CLI from :func:`parse` (the same message). An error
names the field and what is wrong, never the value sent.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any, Literal, TypeVar

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    TypeAdapter,
    ValidationError,
)

from graph_service.errors import InvalidInput

_NOT_BLANK = r"\S"
#: A record's registry reference, as record_updates name it.
RecordRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=200, pattern=_NOT_BLANK)
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=4000, pattern=_NOT_BLANK),
]
DocumentRef = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=_NOT_BLANK)
]
#: The most document references one application may give.
MAX_EVIDENCE = 100
#: Ids the service hands out (UUIDs); anything else is refused before a lookup.
ID_PATTERN = r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$"


class RepairRequest(BaseModel):
    """A repair application (信用修复): the record, the credit commitment and the evidence."""

    model_config = ConfigDict(extra="forbid")

    record_ref: RecordRef = Field(description="the record's registry reference")
    commitment: Text = Field(description="the credit commitment (信用承诺) text")
    evidence: list[DocumentRef] = Field(
        min_length=1, max_length=MAX_EVIDENCE, description="document references relied on"
    )


class RepairDecision(BaseModel):
    """An admin's decision on a pending repair application."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["approved", "rejected"]
    reason: Text


class ObjectionRequest(BaseModel):
    """An objection (异议) to a record: the grounds and how to reach the party."""

    model_config = ConfigDict(extra="forbid")

    record_ref: RecordRef = Field(description="the record's registry reference")
    grounds: Text
    contact: Annotated[
        str,
        StringConstraints(strip_whitespace=True, min_length=1, max_length=500, pattern=_NOT_BLANK),
    ]


class ObjectionUpheld(BaseModel):
    """An upheld objection: the record is revoked or corrected (a status update today)."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["upheld"]
    action: Literal["revoked", "corrected"] = Field(description="the status update written")
    reason: Text


class ObjectionDismissed(BaseModel):
    """A dismissed objection: the contested mark ends, nothing else changes."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["dismissed"]
    action: None = Field(default=None, description="none: a dismissal changes no record")
    reason: Text


#: An admin's decision on an open objection; ``decision`` says which shape it has (so the
#: OpenAPI document says exactly which bodies are valid: an upheld one needs its action).
ObjectionDecision = Annotated[ObjectionUpheld | ObjectionDismissed, Field(discriminator="decision")]


M = TypeVar("M", bound=BaseModel)


def parse_objection_decision(data: Mapping[str, Any]) -> ObjectionUpheld | ObjectionDismissed:
    """``data`` as an :data:`ObjectionDecision`, or :class:`InvalidInput` naming the field
    (``upheld.action``: the action of an upheld decision).

    >>> parse_objection_decision({"decision": "upheld", "reason": "r"})
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: upheld.action: Field required
    """
    try:
        found: ObjectionUpheld | ObjectionDismissed = _DECISION.validate_python(dict(data))
    except ValidationError as exc:
        raise _invalid(exc) from None
    return found


def parse(model: type[M], data: Mapping[str, Any]) -> M:
    """``data`` as ``model``, or :class:`InvalidInput` naming the first bad field.

    >>> parse(RepairRequest, {"record_ref": "P1", "commitment": "x", "evidence": []})
    Traceback (most recent call last):
    ...
    graph_service.errors.InvalidInput: evidence: List should have at least 1 item after \
validation, not 0
    """
    try:
        return model.model_validate(dict(data))
    except ValidationError as exc:
        raise _invalid(exc) from None


def _invalid(exc: ValidationError) -> InvalidInput:
    """The first problem of ``exc`` as REST names it: ``field: what is wrong``."""
    first = exc.errors()[0]
    field = ".".join(str(part) for part in first["loc"]) or "body"
    return InvalidInput(f"{field}: {str(first['msg']).removeprefix('Value error, ')}")


_DECISION: TypeAdapter[ObjectionUpheld | ObjectionDismissed] = TypeAdapter(ObjectionDecision)
