"""The joint-punishment policy as data: the catalog (``catalog.yaml``) and decisions.

>>> from graph_service.policy import default_catalog
>>> default_catalog().version
'2026.11-1'
"""

from graph_service.policy.catalog import (
    Catalog,
    Control,
    MeasureSpec,
    Outcome,
    RecordKind,
    RiskSpec,
    Rule,
    Variant,
    decide,
    default_catalog,
    load_catalog,
    parse_catalog,
)

__all__ = [
    "Catalog",
    "Control",
    "MeasureSpec",
    "Outcome",
    "RecordKind",
    "RiskSpec",
    "Rule",
    "Variant",
    "decide",
    "default_catalog",
    "load_catalog",
    "parse_catalog",
]
