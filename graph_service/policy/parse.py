"""Small validators for the catalog's YAML: each returns a typed value or raises :class:`Invalid`
with the dotted place of the problem (``rules.R3.threshold_pct: …``) and what to do about it."""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from typing import Any

import yaml


class Invalid(ValueError):
    """A value of the catalog is missing, of the wrong type or out of range; ``fix`` says
    what to change (the message says what is wrong)."""

    def __init__(self, message: str, fix: str = "fix the value") -> None:
        super().__init__(message)
        self.fix = fix


def mapping(value: Any, where: str) -> Mapping[str, Any]:
    """``value`` as a mapping with string keys.

    >>> mapping([], "rules")
    Traceback (most recent call last):
    ...
    graph_service.policy.parse.Invalid: rules: expected a mapping, got list
    """
    if not isinstance(value, Mapping) or not all(isinstance(k, str) for k in value):
        raise Invalid(f"{where}: expected a mapping, got {type(value).__name__}")
    return value


def section(
    value: Any, where: str, allowed: Collection[str], required: Iterable[str] | None = None
) -> Mapping[str, Any]:
    """A mapping with only ``allowed`` keys (typos are errors) and every ``required`` key
    (all allowed keys when ``required`` is None)."""
    found = mapping(value, where or "catalog")
    unknown = sorted(set(found) - set(allowed))
    if unknown:
        raise Invalid(
            f"{where or 'catalog'}: unknown key(s) {', '.join(unknown)}",
            f"remove or correct it; allowed here: {', '.join(allowed)}",
        )
    for key in allowed if required is None else required:
        if key not in found:
            raise Invalid(f"{_join(where, key)}: missing", "add it (as in the packaged catalog)")
    return found


def text(value: Any, where: str) -> str:
    """A non-empty string."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid(f"{where}: expected a non-empty string, got {value!r}")
    return value.strip()


def names(value: Any, where: str, unique: bool = True, empty: bool = False) -> tuple[str, ...]:
    """A list of non-empty strings; duplicates and (unless ``empty``) an empty list are errors.

    >>> names(["deny", "deny"], "outcomes")
    Traceback (most recent call last):
    ...
    graph_service.policy.parse.Invalid: outcomes: 'deny' appears twice
    """
    if not isinstance(value, list) or (not value and not empty):
        raise Invalid(f"{where}: expected a non-empty list, got {value!r}")
    found = tuple(text(item, where) for item in value)
    for item in found:
        if unique and found.count(item) > 1:
            raise Invalid(f"{where}: {item!r} appears twice")
    return found


def text_map(value: Any, where: str) -> dict[str, str]:
    """A non-empty mapping of strings to strings."""
    found = {key: text(item, f"{where}.{key}") for key, item in mapping(value, where).items()}
    if not found:
        raise Invalid(f"{where}: expected at least one entry")
    return found


def flag(value: Any, where: str) -> bool:
    """``true`` or ``false`` (not 0/1 or strings)."""
    if not isinstance(value, bool):
        raise Invalid(f"{where}: expected true or false, got {value!r}")
    return value


def integer(value: Any, where: str, lowest: int) -> int:
    """A whole number of at least ``lowest``."""
    if isinstance(value, bool) or not isinstance(value, int) or value < lowest:
        raise Invalid(f"{where}: expected a whole number ≥ {lowest}, got {value!r}")
    return value


def _number(value: Any, where: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise Invalid(f"{where}: expected a number, got {value!r}")
    return float(value)


def percent(value: Any, where: str) -> float:
    """A percentage in (0, 100] (the doctest elides the end: "… (0, 100], got 120").

    >>> percent(120, "rules.R3.threshold_pct")
    Traceback (most recent call last):
    ...
    graph_service.policy.parse.Invalid: rules.R3.threshold_pct: expected a percentage in ...
    """
    number = _number(value, where)
    if not 0 < number <= 100:
        raise Invalid(f"{where}: expected a percentage in (0, 100], got {value!r}")
    return number


def fraction(value: Any, where: str, zero: bool = False) -> float:
    """A number in (0, 1), or in [0, 1] when ``zero``: a weight may switch a relation off."""
    number = _number(value, where)
    if not (0 <= number <= 1 if zero else 0 < number < 1):
        bounds = "[0, 1]" if zero else "(0, 1)"
        raise Invalid(f"{where}: expected a number in {bounds}, got {value!r}")
    return number


def known(
    found: Iterable[str], universe: Collection[str], where: str, what: str, home: str = ""
) -> None:
    """Every name in ``found`` is in ``universe`` (declared under ``home``, if the catalog
    declares them).

    >>> known(["jail"], {"bidding_ban"}, "rules.R1.measures", "measure", "measures")
    Traceback (most recent call last):
    ...
    graph_service.policy.parse.Invalid: rules.R1.measures: unknown measure 'jail'
    """
    for name in found:
        if name not in universe:
            fix = (
                f"declare it under `{home}` or correct the name"
                if home
                else f"use one of: {', '.join(sorted(universe))}"
            )
            raise Invalid(f"{where}: unknown {what} {name!r}", fix)


def _join(where: str, key: str) -> str:
    return f"{where}.{key}" if where else key


def load_yaml(text: str) -> Any:
    """Parsed YAML; a syntax error or a key given twice is :class:`Invalid` with its line.

    >>> load_yaml("control:\\n  majority_pct: 50\\n  majority_pct: 30\\n")
    Traceback (most recent call last):
    ...
    graph_service.policy.parse.Invalid: not valid YAML at line 3, column 3: key 'majority_pct' ...
    """
    try:
        return yaml.load(text, Loader=_StrictLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.MarkedYAMLError as error:
        mark = error.problem_mark
        at = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = " ".join(str(error.problem or error.context or "").split())
        fix = "keep one of them" if isinstance(error, _Twice) else "fix the YAML syntax"
        raise Invalid(f"not valid YAML{at}: {problem}", fix) from None
    except yaml.YAMLError as error:
        raise Invalid(f"not valid YAML: {' '.join(str(error).split())}", "fix it") from None


class _Twice(yaml.constructor.ConstructorError):
    """A mapping gives one key twice."""


class _StrictLoader(yaml.SafeLoader):
    """PyYAML's safe loader, refusing a key given twice: it would otherwise keep the last one
    silently, and a policy value would vanish without a word."""


def _no_twice(loader: _StrictLoader, node: yaml.MappingNode) -> dict[Any, Any]:
    seen: set[Any] = set()
    for key_node, _ in node.value:
        key = loader.construct_object(key_node)
        if not isinstance(key, str | int | float | bool):
            continue  # an unhashable key: construct_mapping refuses it
        if key in seen:
            raise _Twice(None, None, f"key {key!r} appears twice", key_node.start_mark)
        seen.add(key)
    return loader.construct_mapping(node)


_StrictLoader.add_constructor(yaml.resolver.BaseResolver.DEFAULT_MAPPING_TAG, _no_twice)
