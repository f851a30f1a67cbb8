"""The joint-punishment catalog: ``catalog.yaml`` loaded into frozen, typed dataclasses.

Invariants once loaded: every measure a record kind or a rule names has a decision row; every
row has one outcome per context; every rule's record kinds are declared; numbers are in range;
no key is given twice. Anything else is a :class:`~graph_service.errors.PolicyError` of one
line that names the file, the place (``rules.R3.threshold_pct: …``) and the fix, raised at
load time, never half-way through a run.

Which catalog is in force is a setting: ``CREDIT_GRAPH_CATALOG`` (``Settings.catalog``) names
an operator's file, otherwise the packaged ``catalog.yaml`` runs. :func:`catalog_in_force` is
the one way the service gets it; the service and the CLI call it before they start work, so a
bad file is refused at start.

>>> catalog = default_catalog()
>>> catalog.r3.threshold_pct, catalog.r3.inclusive, catalog.control.majority_pct
(50.0, True, 50.0)
>>> decide(["enhanced_supervision", "bidding_ban"], "bidding", has_red_list=False)
<Outcome.DENY: 'deny'>
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from functools import lru_cache
from importlib import resources
from pathlib import Path
from types import MappingProxyType
from typing import TYPE_CHECKING, Any

from graph_service.errors import PolicyError
from graph_service.policy import parse as p
from graph_service.policy.contradiction_policy import parse_contradictions
from graph_service.policy.due_process import parse_due_process
from graph_service.policy.notice_policy import parse_notices
from graph_service.policy.spec import (
    NO_EFFECT,
    R1,
    R2,
    R3,
    R5,
    R6,
    RANKED,
    RISK_RELATIONS,
    Catalog,
    Control,
    MeasureSpec,
    Outcome,
    RecordKind,
    RiskSpec,
    Rule,
    Variant,
)

if TYPE_CHECKING:
    from graph_service.settings import Settings

__all__ = [
    "Catalog",
    "Control",
    "MeasureSpec",
    "Outcome",
    "RecordKind",
    "RiskSpec",
    "Rule",
    "Variant",
    "catalog_in_force",
    "decide",
    "default_catalog",
    "load_catalog",
    "parse_catalog",
]


# --- decisions --------------------------------------------------------------------------------


def decide(
    measures: Iterable[str], context: str, has_red_list: bool, catalog: Catalog | None = None
) -> Outcome:
    """The decision in ``context`` for a party with these measures (§4).

    The strongest outcome of the measures, ``allow`` when none has an effect, and
    ``fast_track`` instead of ``allow`` when the party is red-listed and has no measure at all.

    >>> decide([], "bidding", has_red_list=True)
    <Outcome.FAST_TRACK: 'fast_track'>
    >>> decide(["admin_penalty_general"], "bidding", has_red_list=True)
    <Outcome.ALLOW: 'allow'>
    """
    catalog = catalog or default_catalog()
    if context not in catalog.contexts:
        raise PolicyError(f"unknown context {context!r}; known: {', '.join(catalog.contexts)}")
    names = list(measures)
    if not names:
        return Outcome.FAST_TRACK if has_red_list else Outcome.ALLOW
    found = {_measure(catalog, name).decisions.get(context, Outcome.ALLOW) for name in names}
    return next(outcome for outcome in catalog.outcomes if outcome in found)


def _measure(catalog: Catalog, name: str) -> MeasureSpec:
    spec = catalog.measures.get(name)
    if spec is None:
        raise PolicyError(f"catalog {catalog.version} has no decision row for measure {name!r}")
    return spec


# --- loading ----------------------------------------------------------------------------------


#: The environment variable of ``Settings.catalog``, named in the fix of a refused catalog.
SETTING = "CREDIT_GRAPH_CATALOG"


def catalog_in_force(settings: Settings) -> Catalog:
    """The catalog the service runs under ``settings``: the operator's file named by
    ``CREDIT_GRAPH_CATALOG``, else the packaged one. A bad file is a one-line
    :class:`PolicyError` naming the file, the key and the fix.

    >>> from graph_service.settings import Settings
    >>> catalog_in_force(Settings(catalog=None)) is default_catalog()
    True
    """
    if settings.catalog is None:
        return default_catalog()
    return _operator_catalog(settings.catalog.resolve())


@lru_cache(maxsize=8)
def _operator_catalog(path: Path) -> Catalog:
    """An operator's catalog, read once per process and path (restart to take a change).

    Its contexts must be the packaged ones: they are an enum of the public API
    (``/openapi.json``, the GraphQL schema) that other agencies' systems are written against,
    so an operator changes what each context decides, not which contexts exist.
    """
    catalog = load_catalog(path, setting=SETTING)
    _require_api_contexts(catalog, str(path))
    return catalog


def _require_api_contexts(catalog: Catalog, source: str) -> None:
    """Refuses a catalog whose contexts differ from the API's (the packaged catalog's)."""
    api = default_catalog().contexts
    missing = [c for c in api if c not in catalog.contexts]
    extra = [c for c in catalog.contexts if c not in api]
    if missing or extra:
        problem = f"missing {', '.join(missing)}" if missing else f"unknown {', '.join(extra)}"
        error = p.Invalid(
            f"contexts: {problem} (the API's contexts are {', '.join(api)})",
            "list exactly the API's contexts and give each decision row one outcome per context",
        )
        raise _refusal(source, error, SETTING)


@lru_cache(maxsize=1)
def default_catalog() -> Catalog:
    """The catalog shipped with the service (``graph_service/policy/catalog.yaml``), once."""
    text = resources.files("graph_service.policy").joinpath("catalog.yaml").read_text("utf-8")
    return _from_text(text, "catalog.yaml", None)


def load_catalog(path: Path, setting: str | None = None) -> Catalog:
    """A catalog from a YAML file (an operator's changed copy). When the file was chosen by
    the environment variable ``setting``, every refusal also offers to unset it."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as error:
        reason = getattr(error, "strerror", None) or str(error)
        raise _refusal(
            str(path), p.Invalid(f"cannot read catalog: {reason}", "check the path"), setting
        ) from None
    return _from_text(text, str(path), setting)


def _from_text(text: str, source: str, setting: str | None) -> Catalog:
    try:
        return _validated(p.load_yaml(text))
    except p.Invalid as error:
        raise _refusal(source, error, setting) from None


def _refusal(source: str, error: p.Invalid, setting: str | None) -> PolicyError:
    """One line: the file, the place and problem, and the fix."""
    fix = f"{error.fix}, or unset {setting} to run the packaged catalog" if setting else error.fix
    return PolicyError(f"catalog {source}: {error} — {fix}")


TOP_KEYS = (
    "version",
    "outcomes",
    "contexts",
    "measures",
    "record_kinds",
    "control",
    "rules",
    "peripheral_risk",
    "contradictions",
    "due_process",
)


def parse_catalog(data: Any, source: str = "catalog") -> Catalog:
    """A validated :class:`Catalog` from parsed YAML; :class:`PolicyError` names what is wrong."""
    try:
        return _validated(data)
    except p.Invalid as error:
        raise _refusal(source, error, None) from None


def _validated(data: Any) -> Catalog:
    if data is None:
        raise p.Invalid("the file is empty", "start from a copy of the packaged catalog.yaml")
    return _catalog(p.section(data, "", TOP_KEYS, TOP_KEYS))


def _catalog(data: Mapping[str, Any]) -> Catalog:
    contexts = p.names(data["contexts"], "contexts")
    outcomes = _outcomes(data["outcomes"])
    measures = _measures(data["measures"], contexts, outcomes)
    kinds = _record_kinds(data["record_kinds"], measures)
    rules = p.section(data["rules"], "rules", RULE_IDS, RULE_IDS)
    catalog = Catalog(
        version=p.text(data["version"], "version"),
        outcomes=outcomes,
        contexts=contexts,
        measures=measures,
        record_kinds=kinds,
        control=_control(data["control"]),
        **_rules(rules),
        risk=_risk(data["peripheral_risk"]),
        contradictions=parse_contradictions(data["contradictions"]),
        due_process=parse_due_process(
            data["due_process"], {k: tuple(s.variants) for k, s in kinds.items()}
        ),
        notices=parse_notices(p.mapping(data["due_process"], "due_process").get("notices")),
    )
    _check_references(catalog)
    return catalog


def _outcomes(value: Any) -> tuple[Outcome, ...]:
    names = p.names(value, "outcomes")
    if sorted(names) != sorted(RANKED) or names[-1] != Outcome.ALLOW:
        raise p.Invalid(
            "outcomes: must rank deny, restrict, review and allow, allow last",
            "list the four outcomes strongest first",
        )
    return tuple(Outcome(name) for name in names)


def _measures(
    value: Any, contexts: tuple[str, ...], outcomes: tuple[Outcome, ...]
) -> Mapping[str, MeasureSpec]:
    found = {}
    for name, raw in p.mapping(value, "measures").items():
        where = f"measures.{name}"
        spec = p.section(raw, where, ("label", "row"), ("label", "row"))
        row = p.names(spec["row"], f"{where}.row", unique=False)
        if len(row) != len(contexts):
            raise p.Invalid(
                f"{where}.row: {len(row)} outcomes for {len(contexts)} contexts",
                "give one outcome (or none) per context, in the order of `contexts`",
            )
        allowed = {*outcomes, NO_EFFECT}
        for context, outcome in zip(contexts, row, strict=True):
            if outcome not in allowed:
                raise p.Invalid(
                    f"{where}.row: {outcome!r} ({context}) is not an outcome",
                    f"use one of: {', '.join(sorted(allowed))}",
                )
        decisions = {c: Outcome(o) for c, o in zip(contexts, row, strict=True) if o != NO_EFFECT}
        found[name] = MeasureSpec(name, p.text(spec["label"], where), MappingProxyType(decisions))
    return MappingProxyType(found)


def _record_kinds(value: Any, measures: Mapping[str, MeasureSpec]) -> Mapping[str, RecordKind]:
    found = {}
    for kind, raw in p.mapping(value, "record_kinds").items():
        where = f"record_kinds.{kind}"
        spec = p.section(raw, where, ("basis", "by", "variants", "active_years"), ("basis",))
        variants = {
            str(name): _variant(v, f"{where}.variants.{name}", measures)
            for name, v in p.mapping(spec.get("variants"), f"{where}.variants").items()
        }
        if "default" not in variants:
            raise p.Invalid(f"{where}.variants: needs a `default` variant", "add one")
        years = spec.get("active_years")
        found[kind] = RecordKind(
            kind=kind,
            basis=p.text(spec["basis"], f"{where}.basis"),
            by=p.text(spec["by"], f"{where}.by") if spec.get("by") is not None else None,
            variants=MappingProxyType(variants),
            active_years=None if years is None else p.integer(years, f"{where}.active_years", 1),
        )
    return MappingProxyType(found)


def _variant(value: Any, where: str, measures: Mapping[str, MeasureSpec]) -> Variant:
    spec = p.section(value, where, ("measures", "serious", "red_list"), ("measures",))
    names = p.names(spec["measures"], f"{where}.measures", empty=True)
    p.known(names, measures, f"{where}.measures", "measure", "measures")
    return Variant(
        measures=names,
        serious=p.flag(spec.get("serious", False), f"{where}.serious"),
        red_list=p.flag(spec.get("red_list", False), f"{where}.red_list"),
    )


def _control(value: Any) -> Control:
    spec = p.section(value, "control", ("majority_pct", "officer_roles"), ("majority_pct",))
    return Control(
        majority_pct=p.percent(spec["majority_pct"], "control.majority_pct"),
        officer_roles=p.names(spec.get("officer_roles", []), "control.officer_roles", empty=True),
    )


RULE_IDS = ("R1", "R2", "R3", "R4", "R5", "R6")
COMMON = ("title", "measures", "basis")
RULE_KEYS = {
    "R1": (*COMMON, "trigger_kinds", "legal_rep", "officer_roles", "controllers"),
    "R2": (*COMMON, "trigger_kinds", "named_roles"),
    "R3": (*COMMON, "threshold_pct", "inclusive"),
    "R4": ("title", "basis"),
    "R5": (*COMMON, "conviction_roles"),
    "R6": (
        *COMMON,
        "lookback_years",
        "intervention_kinds",
        "official_categories",
        "conviction_roles",
    ),
}


def _rules(rules: Mapping[str, Any]) -> dict[str, Any]:
    specs = {rid: p.section(rules[rid], f"rules.{rid}", RULE_KEYS[rid]) for rid in RULE_IDS}
    common = {rid: _common(rid, spec) for rid, spec in specs.items()}
    r1, r2, r3, r5, r6 = (specs[r] for r in ("R1", "R2", "R3", "R5", "R6"))
    return {
        "r1": R1(
            **common["R1"],
            trigger_kinds=p.names(r1["trigger_kinds"], "rules.R1.trigger_kinds"),
            legal_rep=p.flag(r1["legal_rep"], "rules.R1.legal_rep"),
            officer_roles=p.names(r1["officer_roles"], "rules.R1.officer_roles", empty=True),
            controllers=p.flag(r1["controllers"], "rules.R1.controllers"),
        ),
        "r2": R2(
            **common["R2"],
            trigger_kinds=p.names(r2["trigger_kinds"], "rules.R2.trigger_kinds"),
            named_roles=MappingProxyType(p.text_map(r2["named_roles"], "rules.R2.named_roles")),
        ),
        "r3": R3(
            **common["R3"],
            threshold_pct=p.percent(r3["threshold_pct"], "rules.R3.threshold_pct"),
            inclusive=p.flag(r3["inclusive"], "rules.R3.inclusive"),
        ),
        "r4": Rule(**common["R4"]),
        "r5": R5(
            **common["R5"],
            conviction_roles=p.names(r5["conviction_roles"], "rules.R5.conviction_roles"),
        ),
        "r6": R6(
            **common["R6"],
            lookback_years=p.integer(r6["lookback_years"], "rules.R6.lookback_years", 1),
            intervention_kinds=p.names(r6["intervention_kinds"], "rules.R6.intervention_kinds"),
            official_categories=p.names(r6["official_categories"], "rules.R6.official_categories"),
            conviction_roles=p.names(r6["conviction_roles"], "rules.R6.conviction_roles"),
        ),
    }


def _common(rule_id: str, spec: Mapping[str, Any]) -> dict[str, Any]:
    where = f"rules.{rule_id}"
    measures = spec.get("measures", [])
    return {
        "rule_id": rule_id,
        "title": p.text(spec["title"], f"{where}.title"),
        "measures": p.names(measures, f"{where}.measures", empty=rule_id == "R4"),
        "basis": p.text(spec["basis"], f"{where}.basis"),
    }


def _risk(value: Any) -> RiskSpec:
    spec = p.section(value, "peripheral_risk", ("decay", "min_score", "weights"))
    weights = {
        str(rel): p.fraction(w, f"peripheral_risk.weights.{rel}", zero=True)
        for rel, w in p.mapping(spec["weights"], "peripheral_risk.weights").items()
    }
    p.known(weights, RISK_RELATIONS, "peripheral_risk.weights", "relationship type")
    return RiskSpec(
        decay=p.fraction(spec["decay"], "peripheral_risk.decay"),
        min_score=p.fraction(spec["min_score"], "peripheral_risk.min_score"),
        weights=MappingProxyType(weights),
    )


def _check_references(catalog: Catalog) -> None:
    """Rules may only name declared measures and record kinds."""
    rules: tuple[Rule, ...] = (catalog.r1, catalog.r2, catalog.r3, catalog.r5, catalog.r6)
    for rule in rules:
        where = f"rules.{rule.rule_id}.measures"
        p.known(rule.measures, catalog.measures, where, "measure", "measures")
    for rule_id, kinds in (("R1", catalog.r1.trigger_kinds), ("R2", catalog.r2.trigger_kinds)):
        p.known(kinds, catalog.record_kinds, f"rules.{rule_id}", "record kind", "record_kinds")
    for needed in CODE_KINDS:
        p.known((needed,), catalog.record_kinds, "record_kinds", "record kind", "record_kinds")
    # R6's intervention kinds are categories of intervention records, declared as its variants
    # (a misspelt one would otherwise match nothing and silently drop R6).
    categories = set(catalog.record_kinds[INTERVENTION].variants) - {"default"}
    where, home = "rules.R6.intervention_kinds", f"record_kinds.{INTERVENTION}.variants"
    p.known(catalog.r6.intervention_kinds, categories, where, "intervention kind", home)


#: Record kinds the rules name in code (graph_service/analysis/rules.py); a catalog declares them.
OFFICIAL_RECORD = "official_record"
CONVICTION = "bribery_conviction"
INTERVENTION = "intervention"
CODE_KINDS = (OFFICIAL_RECORD, CONVICTION, INTERVENTION)
