"""The catalog's ``due_process`` section (policy due-process.md §1–§3) as typed data.

* ``periods``: publication periods (公示期限) per record kind and class — the class is the
  value of the kind's ``by`` field (an admin penalty's ``severity``), ``default`` for any
  other; each class has a minimum (a repair may be applied for once it has run) and a maximum
  (the record stops being active when it has run), in months from the record's start.
* ``court_kinds``: record kinds a court lists and removes (失信被执行人): never repaired here.
* ``objection_deadline_days``: days the issuing authority has to decide an objection.

>>> spec = parse_due_process({"objection_deadline_days": 7, "court_kinds": ["dishonest_debtor"],
...     "periods": {"tax_violation": {"default": {"min_months": 12, "max_months": 36}}}},
...     {"tax_violation": ("default",), "dishonest_debtor": ("default",)})
>>> spec.period("tax_violation", None).max_months, spec.period("blacklist", None)
(36, None)
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from graph_service.policy import parse as p

#: The keys of ``due_process`` this module reads, and those read elsewhere (``notices``: the
#: stop-sharing notices, kept in ``DueProcess.extra`` for their own module to validate).
KEYS = ("periods", "court_kinds", "objection_deadline_days")
OTHER_KEYS = ("notices",)


@dataclass(frozen=True)
class Period:
    """A class's publication period, in months from the record's start."""

    min_months: int  # a repair may be applied for from start + min_months (0: at once)
    max_months: int  # the record is no longer active from start + max_months


@dataclass(frozen=True)
class DueProcess:
    """What the catalog says about periods, repairs and objections."""

    periods: Mapping[str, Mapping[str, Period]]  # record kind → class → period
    court_kinds: tuple[str, ...]
    objection_deadline_days: int
    extra: Mapping[str, Any] = field(default_factory=dict)  # other keys (notices: A2's)

    def period(self, kind: object, klass: object) -> Period | None:
        """The period of a record of ``kind`` whose class is ``klass`` (``default`` when the
        class has none of its own); None for a kind without publication periods."""
        classes = self.periods.get(str(kind))
        if classes is None:
            return None
        return classes.get(str(klass)) or classes["default"]


def parse_due_process(value: Any, variants: Mapping[str, Collection[str]]) -> DueProcess:
    """The validated section; ``variants``: each declared record kind → its variant names
    (a period's kind must be declared and its classes must be variants of it)."""
    where = "due_process"
    spec = p.section(value, where, (*KEYS, *OTHER_KEYS), KEYS)
    raw_periods = p.mapping(spec["periods"], f"{where}.periods")
    p.known(raw_periods, variants, f"{where}.periods", "record kind", "record_kinds")
    periods = {
        str(kind): _classes(raw, f"{where}.periods.{kind}", variants)
        for kind, raw in raw_periods.items()
    }
    courts = p.names(spec["court_kinds"], f"{where}.court_kinds", empty=True)
    p.known(courts, variants, f"{where}.court_kinds", "record kind", "record_kinds")
    days = p.integer(spec["objection_deadline_days"], f"{where}.objection_deadline_days", 1)
    extra = {k: v for k, v in spec.items() if k not in KEYS}
    return DueProcess(MappingProxyType(periods), courts, days, MappingProxyType(extra))


def _classes(
    value: Any, where: str, variants: Mapping[str, Collection[str]]
) -> Mapping[str, Period]:
    found = {str(k): _period(v, f"{where}.{k}") for k, v in p.mapping(value, where).items()}
    if "default" not in found:
        raise p.Invalid(f"{where}: needs a `default` class", "add one (any other class)")
    kind = where.rsplit(".", 1)[-1]
    p.known(found, variants.get(kind, ()), where, "class", f"record_kinds.{kind}.variants")
    return MappingProxyType(found)


def _period(value: Any, where: str) -> Period:
    spec = p.section(value, where, ("min_months", "max_months"))
    low = p.integer(spec["min_months"], f"{where}.min_months", 0)
    high = p.integer(spec["max_months"], f"{where}.max_months", 1)
    if low > high:
        raise p.Invalid(f"{where}: min_months {low} > max_months {high}", "swap or fix them")
    return Period(low, high)
