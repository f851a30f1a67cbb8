"""The catalog's ``contradictions`` (policy due-process.md §7) as typed data.

* ``min_role_age_years``: an officer or legal representative younger than this on the role's
  start date contradicts the person's identity number (18);
* ``max_stake_sum_pct`` and ``stake_sum_tolerance_pct``: the stakes in one company active on
  one day may add up to at most this much (100 %), plus the rounding tolerance the loaders
  allow within one file (0.01);
* ``reference_only_days``: a party known only from other registries' references for longer
  than this was never registered by its own registry (30 days).

>>> spec = parse_contradictions({"min_role_age_years": 18, "max_stake_sum_pct": 100,
...     "stake_sum_tolerance_pct": 0.01, "reference_only_days": 30})
>>> spec.min_role_age_years, spec.stake_limit_pct, spec.reference_only_days
(18, 100.01, 30)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from graph_service.policy import parse as p

KEYS = ("min_role_age_years", "max_stake_sum_pct", "stake_sum_tolerance_pct", "reference_only_days")


@dataclass(frozen=True)
class ContradictionPolicy:
    """The thresholds of the contradictions between sources."""

    min_role_age_years: int
    max_stake_sum_pct: float
    stake_sum_tolerance_pct: float
    reference_only_days: int

    @property
    def stake_limit_pct(self) -> float:
        """The largest sum of stakes on one day that is not a contradiction."""
        return round(self.max_stake_sum_pct + self.stake_sum_tolerance_pct, 6)


def parse_contradictions(value: Any) -> ContradictionPolicy:
    """The validated ``contradictions`` section; :class:`parse.Invalid` names a bad key."""
    spec = p.section(value, "contradictions", KEYS, KEYS)
    tolerance = spec["stake_sum_tolerance_pct"]
    if isinstance(tolerance, bool) or not isinstance(tolerance, int | float) or tolerance < 0:
        raise p.Invalid(f"contradictions.stake_sum_tolerance_pct: expected ≥ 0, got {tolerance!r}")
    return ContradictionPolicy(
        min_role_age_years=p.integer(
            spec["min_role_age_years"], "contradictions.min_role_age_years", 1
        ),
        max_stake_sum_pct=p.percent(spec["max_stake_sum_pct"], "contradictions.max_stake_sum_pct"),
        stake_sum_tolerance_pct=float(tolerance),
        reference_only_days=p.integer(
            spec["reference_only_days"], "contradictions.reference_only_days", 1
        ),
    )
