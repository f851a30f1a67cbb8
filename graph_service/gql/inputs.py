"""Arguments from investigators: normalised, checked, and refused with a typed error.

Expected failures are data, not exceptions (STYLE §7): root fields return
:class:`InvalidInputError` in a union; a nested field raises :class:`ArgumentError`, which the
error policy (:mod:`graph_service.gql.limits`) shows with its message and the code
``invalid_input`` instead of masking it.
"""

from __future__ import annotations

from typing import Any

import strawberry

from graph_service.errors import InvalidInput
from graph_service.identifiers import identifier_problem, normalise, normalise_case_no


class ArgumentError(InvalidInput):
    """An argument is malformed or beyond a cap; ``argument`` names it."""

    def __init__(self, argument: str, message: str) -> None:
        super().__init__(f"{argument}: {message}")
        self.argument = argument
        self.reason = message
        #: graphql-core copies these into the error's ``extensions``.
        self.extensions: dict[str, Any] = {"code": self.code, "argument": argument}


@strawberry.type(description="The input was refused before anything was read: see `message`.")
class InvalidInputError:
    """Typed result for an expected failure of a root field."""

    argument: str = strawberry.field(description="Name of the offending argument.")
    message: str = strawberry.field(description="What is wrong and what would be accepted.")

    @classmethod
    def of(cls, error: ArgumentError) -> InvalidInputError:
        """The typed form of ``error``."""
        return cls(argument=error.argument, message=error.reason)


def party_id(value: str, argument: str = "id") -> str:
    """A party identifier normalised as the checks do (half-width, trimmed, upper case).

    >>> party_id(" ９１１３０１０２ｒｇ８ｅ６４ｘｋｋｒ ")
    '91130102RG8E64XKKR'
    >>> party_id("91130102RG8E64XKKX")
    Traceback (most recent call last):
    ...
    graph_service.gql.inputs.ArgumentError: id: fails the USCC check digit
    """
    code = normalise(value)
    problem = identifier_problem(code, "party_id")
    if problem is not None:
        raise ArgumentError(argument, problem)
    return code


def case_no(value: str, argument: str = "caseNo") -> str:
    """A case number normalised as the loaders store it (half-width round brackets).

    >>> case_no("（2021）冀01执456号")
    '(2021)冀01执456号'
    """
    code = normalise_case_no(value)
    if not code:
        raise ArgumentError(argument, "is empty")
    return code


def bounded(value: int, argument: str, low: int, high: int) -> int:
    """``value`` if ``low <= value <= high``, else an :class:`ArgumentError` naming the range.

    >>> bounded(7, "depth", 1, 3)
    Traceback (most recent call last):
    ...
    graph_service.gql.inputs.ArgumentError: depth: must be between 1 and 3, got 7
    """
    if not low <= value <= high:
        raise ArgumentError(argument, f"must be between {low} and {high}, got {value}")
    return value
