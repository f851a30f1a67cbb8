"""Registry mappings: one YAML file per source registry, read once into frozen dataclasses.

A mapping says everything the engine needs to load one kind of file, as data: which file
names it matches, its columns (English name, Chinese aliases, type, required, default), the
natural key, the parties and cases a row refers to, the properties of the entity a row owns,
the named query that writes a batch, the checks, and which kinds must be loaded before it.
Adding a registry is adding a mapping (and, when its graph shape is new, a Cypher file).

Invariants: every field named anywhere in a mapping is declared under ``fields``; every type
and rule is one the validator knows; the dependency graph has no cycle. A mapping that breaks
one of these fails when the mappings are read, naming the file.
"""

from __future__ import annotations

import fnmatch
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

from graph_service.errors import ConfigError, InvalidInput
from graph_service.identifiers import to_half_width

#: The mapping files, found through importlib.resources like all package data (see
#: graph_service/queries.py): the same folder in a checkout and in the installed wheel.
MAPPINGS_DIR = resources.files("loaders") / "mappings"

FIELD_TYPES = frozenset(
    {
        "text", "uscc", "id_number", "party_id", "date", "number", "pct", "enum",
        "district", "case_no", "ref", "record_ref", "phone", "email", "address",
    }
)  # fmt: skip
ROW_RULES = frozenset({"date_order", "birth_date_matches_id", "contact"})
GROUP_RULES = frozenset({"sum_at_most"})
#: Extensions the reader accepts, longest first so that ``.csv.gz`` wins over ``.gz``.
EXTENSIONS = (".csv.gz", ".jsonl.gz", ".csv", ".jsonl")


class UnknownKind(InvalidInput):
    """A registry kind that has no mapping."""

    code = "unknown_kind"


@dataclass(frozen=True)
class FieldSpec:
    """One column of a registry file."""

    name: str
    type: str
    required: bool = False
    aliases: tuple[str, ...] = ()
    default: str | None = None
    #: enum only: normalised spelling (canonical value or a synonym) → canonical value.
    values: Mapping[str, str] = field(default_factory=dict)
    #: enum only: values outside ``values`` are kept (normalised) instead of rejected.
    open: bool = False


@dataclass(frozen=True)
class Check:
    """A declared check: a row rule (one row) or a group rule (all rows sharing ``per``)."""

    rule: str
    fields: tuple[str, ...]
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class PartyRef:
    """A party a row refers to, created from the row (id, name) when not in the graph yet."""

    id: str
    name: str | None = None


@dataclass(frozen=True)
class RecordSpec:
    """How a row becomes a ``:Record`` (see docs/model.md, Records)."""

    kind: str
    ref: tuple[str, ...]  # fields joined with '|' into the registry's own reference
    subject: str  # party id field of the record's subject (HAS_RECORD)
    start: str
    end: str | None = None
    authority: str | None = None
    case: str | None = None  # case_no field: CONCERNS_CASE
    named: tuple[tuple[str, str], ...] = ()  # (person id field, role): NAMED_IN
    rename: Mapping[str, str] = field(default_factory=dict)  # field → record property


@dataclass(frozen=True)
class RegistryMapping:
    """Everything the engine knows about one registry kind."""

    kind: str
    description: str
    files: tuple[str, ...]
    after: tuple[str, ...]
    query: str
    key: tuple[str, ...]
    fields: tuple[FieldSpec, ...]
    parties: tuple[PartyRef, ...] = ()
    cases: tuple[str, ...] = ()
    props: tuple[str, ...] = ()
    after_batch: tuple[str, ...] = ()
    checks: tuple[Check, ...] = ()
    record: RecordSpec | None = None
    #: What a row owns and the query upserts: a node, or a relationship between parties.
    owns: str = "node"
    #: Read-only query naming the rows of a batch already in the graph with their row_hash;
    #: those are counted unchanged without a write (None: every row goes to ``query``).
    probe: str | None = None

    @property
    def field_names(self) -> tuple[str, ...]:
        """The English field names, in declaration order."""
        return tuple(f.name for f in self.fields)

    @property
    def required(self) -> tuple[str, ...]:
        """The fields every row must fill."""
        return tuple(f.name for f in self.fields if f.required)

    def header_names(self) -> dict[str, str]:
        """Normalised header spelling (English name or Chinese alias) → field name."""
        names: dict[str, str] = {}
        for spec in self.fields:
            for spelling in (spec.name, *spec.aliases):
                names[header_key(spelling)] = spec.name
        return names

    def matches_file(self, path: Path) -> bool:
        """True when the file name (without extensions) matches one of ``files``."""
        stem = file_stem(path).lower()
        return any(fnmatch.fnmatchcase(stem, pattern.lower()) for pattern in self.files)


def header_key(name: str) -> str:
    """How header names are compared: half-width, no spaces or BOM, lower case.

    >>> header_key(" 注册资本（元） ") == header_key("注册资本(元)")
    True
    """
    return "".join(to_half_width(name).replace("\ufeff", "").split()).lower()


def file_stem(path: Path) -> str:
    """The file name without its registry extension (``a/companies.csv.gz`` → ``companies``)."""
    name = path.name
    for ext in EXTENSIONS:
        if name.lower().endswith(ext):
            return name[: -len(ext)]
    return name


# --- reading the YAML ---------------------------------------------------------------------


@lru_cache(maxsize=1)
def all_mappings() -> dict[str, RegistryMapping]:
    """Every mapping under ``loaders/mappings/``, by kind, in dependency order."""
    files = sorted(MAPPINGS_DIR.iterdir(), key=lambda entry: entry.name)
    found = [_parse(file) for file in files if file.name.endswith(".yaml")]
    by_kind = {m.kind: m for m in found}
    return {kind: by_kind[kind] for kind in dependency_order(by_kind.values())}


def get_mapping(kind: str) -> RegistryMapping:
    """The mapping of ``kind``; :class:`UnknownKind` names the known kinds otherwise."""
    mappings = all_mappings()
    if kind not in mappings:
        known = ", ".join(mappings)
        raise UnknownKind(f"unknown registry kind {kind!r}: expected one of {known}")
    return mappings[kind]


def kind_for_file(path: Path) -> str | None:
    """The kind whose file-name patterns match ``path``; None when none does.

    Reject files written by a loader (``*.rejects.csv``) never match.
    """
    if file_stem(path).lower().endswith(".rejects") or not path.name.lower().endswith(EXTENSIONS):
        return None
    kinds = [m.kind for m in all_mappings().values() if m.matches_file(path)]
    if len(kinds) > 1:
        raise InvalidInput(f"{path.name} matches several registry kinds: {', '.join(kinds)}")
    return kinds[0] if kinds else None


def dependency_order(mappings: Iterable[RegistryMapping]) -> list[str]:
    """Kinds sorted so that each comes after the kinds in its ``after`` (stable by name)."""
    pending = {m.kind: set(m.after) for m in mappings}
    present = set(pending)  # a dependency on a kind not being loaded does not hold anything up
    order: list[str] = []
    while pending:
        ready = sorted(k for k, deps in pending.items() if deps & present <= set(order))
        if not ready:
            raise ConfigError(f"registry mappings depend on each other in a cycle: {pending}")
        order.extend(ready)
        for kind in ready:
            del pending[kind]
    return order


def _parse(path: Traversable) -> RegistryMapping:
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        mapping = _build(data)
        _check(mapping)
    except (KeyError, TypeError, ValueError) as exc:
        raise ConfigError(f"registry mapping {path.name} is invalid: {exc}") from exc
    return mapping


def _build(data: dict[str, Any]) -> RegistryMapping:
    return RegistryMapping(
        kind=data["kind"],
        description=data["description"],
        files=tuple(data["files"]),
        after=tuple(data.get("after", ())),
        query=data["query"],
        key=tuple(data["key"]),
        fields=tuple(_field(name, spec) for name, spec in data["fields"].items()),
        parties=tuple(PartyRef(p["id"], p.get("name")) for p in data.get("parties", ())),
        cases=tuple(data.get("cases", ())),
        props=tuple(data.get("props", data["fields"])),
        after_batch=tuple(data.get("after_batch", ())),
        checks=tuple(_check_spec(c) for c in data.get("checks", ())),
        record=_record(data["record"]) if data.get("record") else None,
        owns=data.get("owns", "node"),
        probe=data.get("probe"),
    )


def _field(name: str, spec: dict[str, Any]) -> FieldSpec:
    values: dict[str, str] = {}
    for canonical, synonyms in (spec.get("values") or {}).items():
        for spelling in (canonical, *(synonyms or ())):
            values[enum_key(str(spelling))] = str(canonical)
    return FieldSpec(
        name=name,
        type=spec["type"],
        required=bool(spec.get("required", False)),
        aliases=tuple(spec.get("aliases", ())),
        default=spec.get("default"),
        values=values,
        open=bool(spec.get("open", False)),
    )


def enum_key(text: str) -> str:
    """How enum spellings are compared: half-width, no spaces, lower case."""
    return "".join(to_half_width(text).split()).lower()


def _check_spec(spec: dict[str, Any]) -> Check:
    params = {k: v for k, v in spec.items() if k not in ("rule", "fields")}
    return Check(rule=spec["rule"], fields=tuple(spec["fields"]), params=params)


def _record(spec: dict[str, Any]) -> RecordSpec:
    return RecordSpec(
        kind=spec["kind"],
        ref=tuple(spec["ref"]),
        subject=spec["subject"],
        start=spec["start"],
        end=spec.get("end"),
        authority=spec.get("authority"),
        case=spec.get("case"),
        named=tuple((n["id"], n["role"]) for n in spec.get("named", ())),
        rename=dict(spec.get("rename", {})),
    )


def _check(m: RegistryMapping) -> None:
    """Raises ValueError when the mapping names an unknown field, type or rule."""
    declared = set(m.field_names)
    if m.owns not in ("node", "relationship"):
        raise ValueError(f"owns must be node or relationship, not {m.owns!r}")
    for spec in m.fields:
        if spec.type not in FIELD_TYPES:
            raise ValueError(f"field {spec.name}: unknown type {spec.type!r}")
        if (spec.type == "enum") != bool(spec.values):
            raise ValueError(f"field {spec.name}: enum fields (and only they) list values")
    derived = {str(c.params["into"]) for c in m.checks if "into" in c.params}
    named = [*m.key, *m.cases, *m.props, *(p.id for p in m.parties)]
    named += [p.name for p in m.parties if p.name]
    for check in m.checks:
        if check.rule not in ROW_RULES | GROUP_RULES:
            raise ValueError(f"unknown check rule {check.rule!r}")
        named += [*check.fields, *([str(check.params["per"])] if "per" in check.params else [])]
    if m.record:
        r = m.record
        named += [*r.ref, r.subject, r.start, *(f for f in (r.end, r.authority, r.case) if f)]
        named += [f for f, _ in r.named]
    unknown = sorted(set(named) - declared - derived)
    if unknown:
        raise ValueError(f"names undeclared fields {unknown}")
