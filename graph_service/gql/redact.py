"""GraphQL error messages that never repeat a value of the request (docs/security.md).

graphql-core words its syntax, validation and coercion errors for developers and quotes the
offending value: ``String cannot represent a non string value: 130102197203158350``. A value
may be personal data (an id number, a name, a check's purpose), and an error body travels
further than an answer (client logs, proxies, bug trackers), so the value is cut out; the
error's ``locations`` and ``path`` still say where the problem is.

Two layers, because graphql-core's wording is not an API:

1. the known forms are cut where the value starts (:data:`CUTS`);
2. any value of the request still found in a message — a string or number literal of the
   document, a variable's string or number — is replaced by "…". Numbers shorter than four
   digits stay (a page size is no one's data, and "got 101" says what was wrong).
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from typing import Any, Final

from graphql import GraphQLError, Source, TokenKind
from graphql.language import Lexer

#: Known forms that quote a value, and what is kept of them.
CUTS: Final = (
    # "String cannot represent a non string value: …", "Value cannot represent a Date: …",
    # also behind "Variable '$x' has invalid value: " (graphql-core 3.3)
    (re.compile(r"^(.*?\bcannot represent\b[^:]*):.*$", re.DOTALL), r"\1."),
    # "Value 'x' does not exist in 'RelationType' enum. Did you mean …?"
    (
        re.compile(r"^Value .*? does not exist in ('[^']*') enum\.", re.DOTALL),
        r"No such value in \1 enum.",
    ),
    # "Expected value of type 'Int!' to be valid, found: …" (3.3), "…, found 12; …" (3.2)
    (
        re.compile(r"^(Expected value of type '[^']*')(?: to be valid)?, found\b.*$", re.DOTALL),
        r"\1.",
    ),
    # syntax errors naming a token: 'Unexpected String "…"', "Expected Name, found Int '12'"
    (
        re.compile(
            r"\b(String|BlockString|Int|Float|Name) (\"(?:[^\"\\]|\\.)*\"|'(?:[^'\\]|\\.)*')"
        ),
        r"\1",
    ),
    # "Invalid Unicode escape sequence: '\u12'", from inside a string literal
    (re.compile(r"^(Syntax Error: Invalid (?:Unicode|character) escape sequence):.*$"), r"\1."),
)
#: Value tokens of a document (names are field and argument names, which messages may say).
_VALUE_TOKENS: Final = frozenset(
    {TokenKind.STRING, TokenKind.BLOCK_STRING, TokenKind.INT, TokenKind.FLOAT}
)


def without_values(
    message: str, query: str | None = None, variables: Mapping[str, Any] | None = None
) -> str:
    """``message`` without the values of the request (``query`` and ``variables``).

    >>> without_values("String cannot represent a non string value: 130102197203158350")
    'String cannot represent a non string value.'
    >>> without_values('Syntax Error: Unexpected String "张伟".')
    'Syntax Error: Unexpected String.'
    >>> without_values("id: no party 91130102RG8E64XKKR", '{ party(id: "91130102RG8E64XKKR") }')
    'id: no party …'
    >>> without_values("first: must be between 1 and 100, got 101", "{ a(first: 101) }")
    'first: must be between 1 and 100, got 101'
    """
    for pattern, kept in CUTS:
        message = pattern.sub(kept, message)
    sent = {*_literals(query or ""), *_leaves(variables or {})}
    for value in sorted(sent, key=len, reverse=True):
        message = message.replace(value, "…")
    return message


def _literals(query: str) -> Iterator[str]:
    """The string and number literals of ``query``, up to a syntax error if it has one."""
    lexer = Lexer(Source(query))
    try:
        while (token := lexer.advance()).kind is not TokenKind.EOF:
            value = token.value or ""
            if token.kind in _VALUE_TOKENS and _worth_hiding(value, token.kind):
                yield value
    except GraphQLError:
        return  # the rest cannot be read as tokens, and no message quotes beyond the error


def _leaves(value: object) -> Iterator[str]:
    """The strings and numbers inside a variables' value (lists and objects walked)."""
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _leaves(item)
    elif isinstance(value, list):
        for item in value:
            yield from _leaves(item)
    elif isinstance(value, str) and _worth_hiding(value, TokenKind.STRING):
        yield value
    elif isinstance(value, int | float) and not isinstance(value, bool):
        if _worth_hiding(str(value), TokenKind.INT):
            yield str(value)


def _worth_hiding(text: str, kind: TokenKind) -> bool:
    """Strings of two characters or more (a surname and given name can be two), numbers of
    four digits or more; shorter ones identify no one and would match ordinary words."""
    return len(text) >= (2 if kind in (TokenKind.STRING, TokenKind.BLOCK_STRING) else 4)
