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
    ValidationError,
    ValidationInfo,
    field_validator,
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


class ObjectionDecision(BaseModel):
    """An admin's decision on an open objection: upheld (with the action) or dismissed."""

    model_config = ConfigDict(extra="forbid")

    decision: Literal["upheld", "dismissed"]
    action: Literal["revoked", "corrected"] | None = Field(
        default=None,
        validate_default=True,  # so that a missing action is judged too
        description="upheld: the status update written (revoked | corrected); dismissed: null",
    )
    reason: Text

    @field_validator("action")
    @classmethod
    def _action_fits(cls, value: str | None, info: ValidationInfo) -> str | None:
        decision = info.data.get("decision")
        if decision == "upheld" and value is None:
            raise ValueError("an upheld objection needs revoked or corrected")
        if decision == "dismissed" and value is not None:
            raise ValueError("a dismissed objection takes no action (null)")
        return value


M = TypeVar("M", bound=BaseModel)


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
        first = exc.errors()[0]
        field = ".".join(str(part) for part in first["loc"]) or "body"
        reason = str(first["msg"]).removeprefix("Value error, ")
        raise InvalidInput(f"{field}: {reason}") from None
