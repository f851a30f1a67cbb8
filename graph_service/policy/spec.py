"""The catalog's types: frozen dataclasses for every part of ``catalog.yaml``.

Invariants (checked by :func:`graph_service.policy.catalog.parse_catalog`): every measure a
record kind or a rule names has a decision row; every row has one outcome per context; every
record kind has a ``default`` variant; numbers are in range.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from graph_service.errors import PolicyError
from graph_service.policy.contradiction_policy import ContradictionPolicy
from graph_service.policy.due_process import DueProcess
from graph_service.policy.notice_policy import NoticePolicy


class Outcome(StrEnum):
    """The decision for a party in a context (§4); ``FAST_TRACK`` only replaces ``ALLOW``."""

    DENY = "deny"
    RESTRICT = "restrict"
    REVIEW = "review"
    ALLOW = "allow"
    FAST_TRACK = "fast_track"


#: Outcomes a catalog may rank, and the "—" of the policy's table.
RANKED = (Outcome.DENY, Outcome.RESTRICT, Outcome.REVIEW, Outcome.ALLOW)
NO_EFFECT = "none"
#: Relationship types the peripheral-risk weights may name (docs/model.md).
RISK_RELATIONS = frozenset(
    {"HOLDS_SHARES", "LEGAL_REP_OF", "BRANCH_OF", "OFFICER_OF", "SHARES_CONTACT"}
)


@dataclass(frozen=True)
class MeasureSpec:
    """A measure and its outcome per context; contexts where it has no effect are absent."""

    name: str
    label: str
    decisions: Mapping[str, Outcome]


@dataclass(frozen=True)
class Variant:
    """What an active record of one kind (and qualifier value) means."""

    measures: tuple[str, ...]
    serious: bool = False  # 严重失信: listed for R3, a source of peripheral risk
    red_list: bool = False  # 守信: fast track when the party has no measure at all


@dataclass(frozen=True)
class RecordKind:
    """A record kind: its variants by the field ``by``, legal basis and activity period."""

    kind: str
    basis: str
    by: str | None
    variants: Mapping[str, Variant]
    active_years: int | None

    def variant(self, record: Mapping[str, Any]) -> Variant:
        """The variant of ``record``: by its ``by`` field, else ``default``."""
        value = record.get(self.by) if self.by else None
        return self.variants.get(str(value), self.variants["default"])


@dataclass(frozen=True)
class Control:
    """Who controls a company (§3)."""

    majority_pct: float  # a holder controls when its active stake exceeds this (strictly)
    officer_roles: tuple[str, ...]  # officer roles that make a person a controller


@dataclass(frozen=True)
class Rule:
    """What every rule has: id, title, the measures it gives, and their legal basis."""

    rule_id: str
    title: str
    measures: tuple[str, ...]
    basis: str


@dataclass(frozen=True)
class R1(Rule):
    """Responsible persons of a company with an active record of ``trigger_kinds``."""

    trigger_kinds: tuple[str, ...]
    legal_rep: bool
    officer_roles: tuple[str, ...]
    controllers: bool


@dataclass(frozen=True)
class R2(Rule):
    """Persons named in an active record of ``trigger_kinds``: role → record field."""

    trigger_kinds: tuple[str, ...]
    named_roles: Mapping[str, str]


@dataclass(frozen=True)
class R3(Rule):
    """Listed-controlled companies: listed parties together hold ``threshold_pct``."""

    threshold_pct: float
    inclusive: bool


@dataclass(frozen=True)
class R5(Rule):
    """Companies that are, or whose legal rep or a controller is, convicted in these roles."""

    conviction_roles: tuple[str, ...]


@dataclass(frozen=True)
class R6(Rule):
    """Officials with a recent intervention or an active discipline/violation record."""

    lookback_years: int
    intervention_kinds: tuple[str, ...]
    official_categories: tuple[str, ...]
    conviction_roles: tuple[str, ...]


@dataclass(frozen=True)
class RiskSpec:
    """Peripheral risk (周边风险): per-hop decay, relation weights and the cut-off score."""

    decay: float
    min_score: float
    weights: Mapping[str, float]


@dataclass(frozen=True)
class Catalog:
    """The whole policy as data; ``version`` is stamped on every result."""

    version: str
    outcomes: tuple[Outcome, ...]  # strongest first
    contexts: tuple[str, ...]
    measures: Mapping[str, MeasureSpec]
    record_kinds: Mapping[str, RecordKind]
    control: Control
    r1: R1
    r2: R2
    r3: R3
    r4: Rule
    r5: R5
    r6: R6
    risk: RiskSpec
    contradictions: ContradictionPolicy  # thresholds of contradictions between sources (§7)
    due_process: DueProcess  # publication periods, repairs, objections (due-process.md)
    notices: NoticePolicy  # stop-sharing notices: who gets them, webhook retries (§4)

    def record_kind(self, kind: object) -> RecordKind:
        """The declared record kind; an undeclared kind is an error, never silently ignored."""
        spec = self.record_kinds.get(str(kind))
        if spec is None:
            raise PolicyError(f"catalog {self.version} does not declare record kind {kind!r}")
        return spec
