"""What a caller may ask of the check API: a check, and feedback on one (docs/checks.md).

Invariants:

* a :class:`CheckRequest` or :class:`FeedbackRequest` is valid by construction — the rules are
  the models', written once. REST gets one from FastAPI's body parsing (422 naming the field),
  GraphQL and the CLI from :func:`parse_request` (:class:`InvalidCheckRequest` naming the
  field the same way);
* an error names the field and what is wrong with it, never the value sent (it may be
  personal data, and the caller has it anyway).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Annotated, Any, Final

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    ValidationError,
    field_validator,
)
from pydantic_core import ErrorDetails

from graph_service.errors import InvalidInput
from graph_service.policy.catalog import default_catalog

#: The contexts a check may name: those of the catalog in force (policy §4, in table order).
CONTEXTS: Final = default_catalog().contexts

#: The most parties one check may name.
MAX_PARTIES = 1000
#: The most measures one feedback may name in ``applied`` and in ``not_applied``.
MAX_MEASURES = 1000

#: Not blank: the JSON schema says so too (``minLength`` counts the spaces stripped here).
_NOT_BLANK = r"\S"
PartyId = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=64, pattern=_NOT_BLANK),
]
Text = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000, pattern=_NOT_BLANK),
]
MeasureName = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=100, pattern=_NOT_BLANK),
]


class CheckRequest(BaseModel):
    """A sanction check: which parties, in which context, on which day, and why."""

    model_config = ConfigDict(extra="forbid")

    context: str = Field(
        description="one of the contexts of the catalog (GET /v1/contexts)",
        json_schema_extra={"enum": list(CONTEXTS)},
    )
    parties: list[PartyId] = Field(min_length=1, max_length=MAX_PARTIES)
    as_of: date | None = Field(default=None, description="YYYY-MM-DD; default today")
    purpose: Text = Field(description="why the check is made (kept in the audit log)")

    @field_validator("context")
    @classmethod
    def _known_context(cls, value: str) -> str:
        if value not in CONTEXTS:  # the value is not repeated: see the module's invariants
            raise ValueError(f"not a known context; known: {', '.join(CONTEXTS)}")
        return value

    @field_validator("as_of", mode="before")
    @classmethod
    def _iso_date(cls, value: Any) -> Any:
        # Only YYYY-MM-DD text: pydantic would otherwise read a number as a Unix time.
        if value is not None and not (isinstance(value, str) and len(value) == 10):
            raise ValueError("as_of must be a date written YYYY-MM-DD")
        return value


class NotApplied(BaseModel):
    """A returned measure the agency did not apply, and why."""

    model_config = ConfigDict(extra="forbid")

    measure: MeasureName
    reason: Text


class FeedbackRequest(BaseModel):
    """What the agency did with one party's measures."""

    model_config = ConfigDict(extra="forbid")

    party_id: PartyId
    applied: list[MeasureName] = Field(default_factory=list, max_length=MAX_MEASURES)
    not_applied: list[NotApplied] = Field(default_factory=list, max_length=MAX_MEASURES)


class InvalidCheckRequest(InvalidInput):
    """A check request breaks the model's rules; ``field`` names the (first) offending field
    as REST does (``parties[3]``), ``reason`` says what is wrong (never the value sent)."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


def parse_request(data: Mapping[str, Any]) -> CheckRequest:
    """The :class:`CheckRequest` of ``data`` (the REST body's keys), or InvalidCheckRequest.

    >>> parse_request({"context": "bidding", "parties": [], "purpose": "t"})
    Traceback (most recent call last):
    ...
    graph_service.check.request.InvalidCheckRequest: parties: List should have at least 1 item \
after validation, not 0
    """
    try:
        return CheckRequest.model_validate(dict(data))
    except ValidationError as exc:
        first = exc.errors()[0]
        reason = str(first["msg"]).removeprefix("Value error, ")  # pydantic's, for validators
        raise InvalidCheckRequest(_field_name(first), reason) from None


def _field_name(error: ErrorDetails) -> str:
    """``("parties", 3)`` → ``parties[3]``, as the REST 422 names fields."""
    loc = error["loc"] or ("body",)
    return str(loc[0]) + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in loc[1:])
