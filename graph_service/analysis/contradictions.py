"""Contradictions between sources (due process §7): facts that cannot all be true.

Each function takes the rows one named query read (``cypher/contradictions/*``) and decides,
purely, which of them contradict each other; the thresholds come from the catalog
(:class:`graph_service.policy.contradiction_policy.ContradictionPolicy`). Nothing here is
resolved: a contradiction is reported with the provenance (file, row, load) of every row it
involves, and no decision reads it (the propagation never does).

Kinds
-----
``name_mismatch``
    one USCC with different names in different files (the company's own row and the rows
    that name it as a record's subject);
``record_after_deregistration``
    a record that starts after its company's deregistration date (注销日期);
``minor_role``
    an officer or legal representative under the age limit on the role's start: the birth
    date is in the identity number. Where a registry gives no start date (legal
    representatives), the day the row was loaded stands for it: the role had begun by then,
    so a person under age on that day was under age at its start too (never a false report);
``branch_holds_shares``
    a branch (分支机构, not a legal person) holding shares;
``branch_cycle``
    branches that are, through their parents, the parent of their own parent;
``stakes_over_100``
    stakes in one company active on one day adding up to more than the limit;
``reference_only``
    a party known only from references for longer than the catalog's days.

Notes
-----
Every function is linear in its rows (the stakes: O(n log n) per company for the sweep over
start and end days; the branch cycles: Tarjan's strongly connected components).
"""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

import networkx as nx

from graph_service.identifiers import id_birth_date
from graph_service.policy.contradiction_policy import ContradictionPolicy

KINDS = (
    "name_mismatch",
    "record_after_deregistration",
    "minor_role",
    "branch_holds_shares",
    "branch_cycle",
    "stakes_over_100",
    "reference_only",
)

Row = Mapping[str, Any]


@dataclass(frozen=True)
class Contradiction:
    """One contradiction: its kind, the party it is about, what contradicts, and the rows."""

    kind: str
    party_id: str
    summary: str
    details: dict[str, Any] = field(default_factory=dict)
    provenance: tuple[dict[str, Any], ...] = ()  # {file, row, load_id, kind} of each row

    @property
    def key(self) -> str:
        """Stable identity: a hash of kind, party and details (the same facts, the same key)."""
        text = json.dumps([self.kind, self.party_id, self.details], sort_keys=True, default=str)
        return hashlib.sha256(text.encode("utf-8")).hexdigest()[:32]


def provenance(row: Row, prefix: str = "") -> dict[str, Any]:
    """The provenance of one row, from the ``<prefix>file/row/load_id/kind`` columns.

    >>> provenance({"a_file": "x.csv", "a_row": 3, "a_load_id": "L", "a_kind": "companies"}, "a_")
    {'file': 'x.csv', 'row': 3, 'load_id': 'L', 'kind': 'companies'}
    """
    return {k: row.get(f"{prefix}{k}") for k in ("file", "row", "load_id", "kind")}


def _name(text: str) -> str:
    """A name as compared: spaces and full/half-width brackets do not make another name."""
    return "".join(text.split()).replace("（", "(").replace("）", ")")


def name_mismatches(rows: Iterable[Row]) -> list[Contradiction]:
    """Companies named differently by rows of different files.

    A row: ``party_id``, ``name`` and its provenance (``file`` …), one per row that names it.

    >>> rows = [{"party_id": "C", "name": "华北建设", "file": "companies.csv", "row": 2},
    ...         {"party_id": "C", "name": "华北 建设", "file": "debtors.csv", "row": 5},
    ...         {"party_id": "C", "name": "华北建材", "file": "penalties.csv", "row": 9},
    ...         {"party_id": "D", "name": "甲", "file": "a.csv"}, {"party_id": "D", "name": "乙",
    ...          "file": "a.csv"}]
    >>> [(c.party_id, c.details["names"]) for c in name_mismatches(rows)]
    [('C', ['华北建材', '华北建设'])]
    """
    seen: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get("name"):
            seen[str(row["party_id"])].append(row)
    found = []
    for party, named in sorted(seen.items()):
        names: dict[str, str] = {}
        for r in named:
            names.setdefault(_name(str(r["name"])), str(r["name"]))  # as first written
        files = {r.get("file") for r in named}
        if len(names) > 1 and len(files) > 1:
            shown = sorted(names.values(), key=_name)
            summary = f"{party} is named {' / '.join(shown)} in {len(files)} files"
            prov = tuple(_unique(provenance(r) for r in named))
            found.append(Contradiction("name_mismatch", party, summary, {"names": shown}, prov))
    return found


def records_after_deregistration(rows: Iterable[Row]) -> list[Contradiction]:
    """Records that start after their company's deregistration.

    A row: ``party_id``, ``deregistered_on``, ``record_key``, ``start``, the company row's
    provenance (``c_file`` …) and the record row's (``r_file`` …).

    >>> rows = [{"party_id": "C", "deregistered_on": date(2020, 1, 1), "record_key": "k:1",
    ...          "start": date(2021, 5, 1)},
    ...         {"party_id": "C", "deregistered_on": date(2020, 1, 1), "record_key": "k:2",
    ...          "start": date(2019, 5, 1)}]
    >>> [c.details["record_key"] for c in records_after_deregistration(rows)]
    ['k:1']
    """
    found = []
    for row in rows:
        gone, start = row.get("deregistered_on"), row.get("start")
        if gone is None or start is None or start <= gone:
            continue
        party, record = str(row["party_id"]), str(row["record_key"])
        found.append(Contradiction(
            "record_after_deregistration", party,
            f"record {record} starts {start} after {party} was deregistered on {gone}",
            {"record_key": record, "start": str(start), "deregistered_on": str(gone)},
            (provenance(row, "c_"), provenance(row, "r_")),
        ))  # fmt: skip
    return found


def age_on(birth: date, day: date) -> int:
    """Whole years from ``birth`` to ``day`` (a birthday on 29 February counts from 1 March).

    >>> age_on(date(2008, 3, 15), date(2026, 3, 14)), age_on(date(2008, 3, 15), date(2026, 3, 15))
    (17, 18)
    """
    before_birthday = (day.month, day.day) < (birth.month, birth.day)
    return day.year - birth.year - before_birthday


def minor_roles(rows: Iterable[Row], policy: ContradictionPolicy) -> list[Contradiction]:
    """Officers and legal representatives under the age limit on the role's start.

    A row: ``person_id``, ``company_id``, ``role``, ``since`` (None when the registry has no
    start date), ``loaded_on`` (the day the row was loaded) and its provenance.

    >>> from graph_service.policy.contradiction_policy import ContradictionPolicy
    >>> policy = ContradictionPolicy(18, 100.0, 0.01, 30)
    >>> rows = [{"person_id": "130102200803158358", "company_id": "C", "role": "director",
    ...          "since": date(2020, 1, 1), "loaded_on": date(2026, 1, 1)},
    ...         {"person_id": "130102200803158358", "company_id": "C", "role": "legal_rep",
    ...          "since": None, "loaded_on": date(2026, 12, 1)}]
    >>> [(c.details["role"], c.details["age"]) for c in minor_roles(rows, policy)]
    [('director', 11)]
    """
    found = []
    for row in rows:
        person = str(row["person_id"])
        birth, start = id_birth_date(person), row.get("since") or row.get("loaded_on")
        if birth is None or start is None:
            continue
        age = age_on(birth, start)
        if age >= policy.min_role_age_years:
            continue
        company, role = str(row["company_id"]), str(row["role"])
        found.append(Contradiction(
            "minor_role", person,
            f"{person} was {age} (born {birth}) when the role {role} of {company} began ({start})",
            {"company_id": company, "role": role, "start": str(start), "age": age,
             "start_known": row.get("since") is not None},
            (provenance(row),),
        ))  # fmt: skip
    return found


def branches_holding_shares(rows: Iterable[Row]) -> list[Contradiction]:
    """Branches that hold shares. A row: ``branch_id``, ``company_id``, ``stake_pct``,
    the BRANCH_OF row's provenance (``b_file`` …) and the HOLDS_SHARES row's (``h_file`` …).

    >>> [c.summary for c in branches_holding_shares([{"branch_id": "B", "company_id": "C",
    ...     "stake_pct": 10.0}])]
    ['branch B holds 10% of C']
    """
    found = []
    for row in rows:
        branch, company, pct = str(row["branch_id"]), str(row["company_id"]), row.get("stake_pct")
        held = f"{pct:g}%" if pct is not None else "shares"
        prov = (provenance(row, "b_"), provenance(row, "h_"))
        summary = f"branch {branch} holds {held} of {company}"
        found.append(
            Contradiction("branch_holds_shares", branch, summary, {"company_id": company}, prov)
        )
    return found


def branch_cycles(rows: Iterable[Row]) -> list[Contradiction]:
    """Branches that are, through BRANCH_OF links, their own parent's parent (any cycle).

    A row: ``branch_id``, ``parent_id`` and the link's provenance. One contradiction per cycle
    (strongly connected component), about its smallest party id.

    >>> rows = [{"branch_id": "A", "parent_id": "B"}, {"branch_id": "B", "parent_id": "A"},
    ...         {"branch_id": "C", "parent_id": "A"}]
    >>> [(c.party_id, c.details["parties"]) for c in branch_cycles(rows)]
    [('A', ['A', 'B'])]
    """
    graph: nx.DiGraph[str] = nx.DiGraph()
    links: dict[tuple[str, str], Row] = {}
    for row in rows:
        edge = (str(row["branch_id"]), str(row["parent_id"]))
        graph.add_edge(*edge)
        links[edge] = row
    found = []
    for component in nx.strongly_connected_components(graph):
        members = sorted(component)
        if len(members) == 1 and not graph.has_edge(members[0], members[0]):
            continue
        inside = [links[e] for e in sorted(links) if e[0] in component and e[1] in component]
        found.append(Contradiction(
            "branch_cycle", members[0],
            f"branches {' → '.join(members)} are each other's parents",
            {"parties": members}, tuple(provenance(r) for r in inside),
        ))  # fmt: skip
    return sorted(found, key=lambda c: c.party_id)


def stakes_over(rows: Iterable[Row], policy: ContradictionPolicy) -> list[Contradiction]:
    """Companies whose stakes active on one day add up to more than the limit.

    A row: ``company_id``, ``holder_id``, ``stake_pct``, ``since`` / ``until`` (None: open;
    ``until`` is the first day no longer held) and the row's provenance. The first day of the
    highest sum is reported, with the stakes active that day.

    >>> from graph_service.policy.contradiction_policy import ContradictionPolicy
    >>> policy = ContradictionPolicy(18, 100.0, 0.01, 30)
    >>> rows = [{"company_id": "C", "holder_id": "A", "stake_pct": 60.0, "since": None,
    ...          "until": date(2020, 1, 1)},
    ...         {"company_id": "C", "holder_id": "B", "stake_pct": 50.0,
    ...          "since": date(2020, 1, 1), "until": None},
    ...         {"company_id": "C", "holder_id": "D", "stake_pct": 45.0,
    ...          "since": date(2019, 6, 1), "until": None}]
    >>> [(c.details["day"], c.details["sum_pct"]) for c in stakes_over(rows, policy)]
    [('2019-06-01', 105.0)]
    """
    by_company: dict[str, list[Row]] = defaultdict(list)
    for row in rows:
        if row.get("stake_pct") is not None:
            by_company[str(row["company_id"])].append(row)
    found = []
    for company, stakes in sorted(by_company.items()):
        peak = _peak(stakes)
        if peak is None or peak[1] <= policy.stake_limit_pct:
            continue
        day, total, active = peak
        found.append(Contradiction(
            "stakes_over_100", company,
            f"stakes in {company} add up to {total:g}% on {day}",
            {"day": day, "sum_pct": total, "holders": sorted(str(r["holder_id"]) for r in active)},
            tuple(provenance(r) for r in active),
        ))  # fmt: skip
    return found


def _peak(stakes: list[Row]) -> tuple[str, float, list[Row]] | None:
    """(first day of the highest sum, the sum, the stakes active that day): a sweep over the
    days stakes begin (an open start counts from the earliest day)."""
    starts = sorted({r.get("since") or date.min for r in stakes})
    best: tuple[str, float, list[Row]] | None = None
    for day in starts:
        active = [r for r in stakes if _active(r, day)]
        total = round(sum(float(r["stake_pct"]) for r in active), 6)
        if best is None or total > best[1]:
            best = ("unknown" if day == date.min else day.isoformat(), total, active)
    return best


def _active(row: Row, day: date) -> bool:
    since, until = row.get("since") or date.min, row.get("until")
    return since <= day and (until is None or day < until)


def reference_only(
    rows: Iterable[Row], policy: ContradictionPolicy, today: date
) -> list[Contradiction]:
    """Parties known only from references for more than the catalog's days.

    A row: ``party_id``, ``known_only_from`` (the referring kind), ``since`` (the day the
    reference created it) and its provenance.

    >>> from graph_service.policy.contradiction_policy import ContradictionPolicy
    >>> policy = ContradictionPolicy(18, 100.0, 0.01, 30)
    >>> rows = [{"party_id": "P", "known_only_from": "shareholdings", "since": date(2026, 1, 1)},
    ...         {"party_id": "Q", "known_only_from": "shareholdings", "since": date(2026, 1, 20)}]
    >>> [(c.party_id, c.details["days"]) for c in reference_only(rows, policy, date(2026, 2, 5))]
    [('P', 35)]
    """
    found = []
    for row in rows:
        since = row.get("since")
        if since is None:
            continue
        days = (today - since).days
        if days <= policy.reference_only_days:
            continue
        party, source = str(row["party_id"]), str(row.get("known_only_from"))
        found.append(Contradiction(
            "reference_only", party,
            f"{party} is known only from {source} rows, for {days} days (since {since})",
            {"known_only_from": source, "since": str(since), "days": days},
            (provenance(row),),
        ))  # fmt: skip
    return found


def cutoff(policy: ContradictionPolicy, today: date) -> date:
    """The last creation day of a reference-only party that is not reported yet.

    >>> from graph_service.policy.contradiction_policy import ContradictionPolicy
    >>> cutoff(ContradictionPolicy(18, 100.0, 0.01, 30), date(2026, 2, 5))
    datetime.date(2026, 1, 6)
    """
    return today - timedelta(days=policy.reference_only_days)


def _unique(items: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    seen: dict[str, dict[str, Any]] = {}
    for item in items:
        seen.setdefault(json.dumps(item, sort_keys=True, default=str), item)
    return list(seen.values())
