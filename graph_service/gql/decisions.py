"""The decision in each context of the catalog (policy §4), for a party's credit report.

The joint-sanction check answers one context per request and audits it as a check. An
investigator looking at a party wants the whole row at once — may it bid, get a subsidy, be
appointed? — without running (and logging) a dozen checks. ``CreditReport.decisions`` gives
that row from the same stored measures and the same rule (:func:`graph_service.policy.catalog.
decide`), so for today it equals what ``POST /v1/checks`` would answer in each context.

>>> for d in context_decisions(["bidding_ban"], red_listed=False)[:3]:
...     print(d.context, d.decision, d.measures)
government_procurement deny ['bidding_ban']
bidding deny ['bidding_ban']
land_supply allow []
>>> {d.decision for d in context_decisions([], red_listed=True)}
{'fast_track'}
"""

from __future__ import annotations

from collections.abc import Sequence

import strawberry

from graph_service.policy.catalog import Catalog, decide, default_catalog


@strawberry.type(description="The decision a sanction check gives in one context (policy §4).")
class ContextDecision:
    """One context of the catalog and the outcome of the party's measures there."""

    context: str = strawberry.field(description="A context of GET /v1/contexts.")
    decision: str = strawberry.field(description="deny, restrict, review, allow or fast_track.")
    measures: list[str] = strawberry.field(
        description="The measures with exactly this outcome here (empty for allow/fast_track)."
    )


def context_decisions(
    measures: Sequence[str], red_listed: bool, catalog: Catalog | None = None
) -> list[ContextDecision]:
    """The decision in every context of ``catalog``, in the catalog's order."""
    catalog = catalog or default_catalog()
    return [_decision(catalog, context, measures, red_listed) for context in catalog.contexts]


def _decision(
    catalog: Catalog, context: str, measures: Sequence[str], red_listed: bool
) -> ContextDecision:
    outcome = decide(measures, context, red_listed, catalog)
    deciding = [m for m in measures if catalog.measures[m].decisions.get(context) == outcome]
    return ContextDecision(context=context, decision=outcome.value, measures=sorted(deciding))
