"""Which parties an incremental run must recompute, and which it must read to do so.

Rule
----
A party's measures depend on a bounded, *directed* part of the graph (its dependencies):

* a company: its holders, upward and recursively (R3 listed holders, R5 controllers through
  majority chains), the legal representatives and officers of each of those companies (R5),
  and its branch parent with the parent's own dependencies (R4, and R3's "branch of a listed
  entity");
* a person: the companies it represents or holds office in and every company below those
  and below its own holdings (R1 controllers through chains), and the subjects of the records
  it is named in (R2).

The parties *affected* by a change at X are exactly those with X among their dependencies,
found by following the same hops backwards. An incremental run recomputes
``affected(X)`` from ``dependencies(affected(X))`` only: every measure of an affected party
is computed from a graph that holds all that measure can depend on, so it equals what a full
run computes. The undirected connected component would also be exact but, in a city's
ownership network, is most of the graph.

Hops are looked up through a :class:`Hops` (Neo4j in production, NetworkX in tests); dates are
ignored here (an over-approximation: a relationship that has ended or not begun is followed
too), so the sets hold whatever the as-of date.

>>> hops = GraphHops.of([
...     ("P", "C1", "HOLDS_SHARES"), ("C1", "C2", "HOLDS_SHARES"),
...     ("Q", "C2", "LEGAL_REP_OF"), ("B", "C2", "BRANCH_OF"), ("X", "Y", "HOLDS_SHARES")])
>>> sorted(affected(hops, {"C2"}))    # C2 listed: its controllers, its branch, its rep
['B', 'C1', 'C2', 'P', 'Q']
>>> sorted(dependencies(hops, {"B"}))  # what B's measures can depend on
['B', 'C1', 'C2', 'P', 'Q']
>>> sorted(dependencies(hops, {"P"}))  # a person: everything it may control
['C1', 'C2', 'P']

Notes
-----
Each closure is a breadth-first search over at most three modes per party: O(V' + E') hop
look-ups for the V' parties and E' relationships reached, in one query per level. With a
limit (:func:`within`) a level reads at most ``limit + 1`` of its rows first: each party new
to the search is a row, so a level that takes the search past the limit usually shows it
within them and the rest is never read (at 10,000 parties, a search that fell back read
5,961 rows in 0.9 s at its last level). Only rows that were cut short yet did not pass the
limit make the level asked again in full, so the sets found are always the exact ones.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Protocol

#: Hop names: each follows relationships of some types in one direction (see Hops).
UP_HOLDERS = "up_holders"  # (x)<-[:HOLDS_SHARES]-(h)
DOWN_HOLDINGS = "down_holdings"  # (x)-[:HOLDS_SHARES]->(c)
REPS_OFFICERS = "reps_officers"  # (x)<-[:LEGAL_REP_OF|OFFICER_OF]-(p)
ROLES_HELD = "roles_held"  # (x)-[:LEGAL_REP_OF|OFFICER_OF]->(c)
BRANCH_PARENTS = "branch_parents"  # (x)-[:BRANCH_OF]->(parent)
BRANCHES = "branches"  # (x)<-[:BRANCH_OF]-(branch)
NAMED_PERSONS = "named_persons"  # persons named in x's records
NAMED_SUBJECTS = "named_subjects"  # subjects of the records x is named in
HOPS = (
    UP_HOLDERS,
    DOWN_HOLDINGS,
    REPS_OFFICERS,
    ROLES_HELD,
    BRANCH_PARENTS,
    BRANCHES,
    NAMED_PERSONS,
    NAMED_SUBJECTS,
)

#: Mode → the hops it follows and the mode of what they reach (None: reached, not expanded).
Modes = Mapping[str, tuple[tuple[str, str | None], ...]]

DEPENDENCY_MODES: Modes = {
    "start": (
        (UP_HOLDERS, "company"),
        (REPS_OFFICERS, None),
        (BRANCH_PARENTS, "company"),
        (ROLES_HELD, "down"),
        (DOWN_HOLDINGS, "down"),
        (NAMED_SUBJECTS, None),
    ),
    "company": ((UP_HOLDERS, "company"), (REPS_OFFICERS, None), (BRANCH_PARENTS, "company")),
    "down": ((DOWN_HOLDINGS, "down"),),
}

AFFECTED_MODES: Modes = {
    "start": (
        (DOWN_HOLDINGS, "company"),
        (ROLES_HELD, "company"),
        (BRANCHES, "company"),
        (UP_HOLDERS, "up"),
        (REPS_OFFICERS, None),
        (NAMED_PERSONS, None),
    ),
    "company": ((DOWN_HOLDINGS, "company"), (ROLES_HELD, "company"), (BRANCHES, "company")),
    "up": ((UP_HOLDERS, "up"), (REPS_OFFICERS, None)),
}


#: hop → party asked from → the parties one hop away from it.
Answers = Mapping[str, Mapping[str, set[str]]]


class Hops(Protocol):
    """Looks up, for each hop asked, the parties one hop away from each of its parties: every
    (hop, party asked, party reached) of them, or only some ``rows`` of them when there are
    more (an answer holding exactly ``rows`` may have been cut short)."""

    def __call__(self, asks: Mapping[str, set[str]], rows: int | None = None) -> Answers: ...


def dependencies(hops: Hops, party_ids: Iterable[str]) -> set[str]:
    """Every party whose data the measures of ``party_ids`` can depend on (them included)."""
    return _closure(hops, set(party_ids), DEPENDENCY_MODES)


def affected(hops: Hops, party_ids: Iterable[str]) -> set[str]:
    """Every party whose measures can change when ``party_ids`` change (them included)."""
    return _closure(hops, set(party_ids), AFFECTED_MODES)


def within(
    hops: Hops, party_ids: Iterable[str], limit: int, larger: Callable[[], int] | None = None
) -> tuple[set[str], set[str]] | None:
    """``(affected, dependencies(affected))`` of ``party_ids``, or None as soon as either holds
    more than ``limit`` parties (the search stops there: the caller runs a full computation,
    which past that size costs less than reading and computing the scope). ``larger``, when
    given, is asked once, only if the search passes ``limit``, for the limit that then holds
    (not less than ``limit``): a small search never pays for reading it.

    >>> hops = GraphHops.of([("P", "C1", "HOLDS_SHARES"), ("C1", "C2", "HOLDS_SHARES")])
    >>> [sorted(s) for s in within(hops, {"C2"}, 3)]
    [['C1', 'C2', 'P'], ['C1', 'C2', 'P']]
    >>> within(hops, {"C2"}, 2) is None
    True
    >>> [sorted(s) for s in within(hops, {"C2"}, 2, lambda: 3)]
    [['C1', 'C2', 'P'], ['C1', 'C2', 'P']]
    """
    bound = Limit(limit, larger)
    try:
        targets = _closure(hops, set(party_ids), AFFECTED_MODES, bound)
        return targets, _closure(hops, targets, DEPENDENCY_MODES, bound)
    except _TooLarge:
        return None


class Limit:
    """A search's limit: ``value``, until a search passes it and ``larger`` (asked once)
    says what holds beyond it."""

    def __init__(self, value: int, larger: Callable[[], int] | None = None) -> None:
        self.value = value
        self.larger = larger

    def passed_by(self, parties: int) -> bool:
        """Whether ``parties`` are more than the limit allows."""
        if parties > self.value and self.larger is not None:
            self.value, self.larger = max(self.value, self.larger()), None
        return parties > self.value


class _TooLarge(Exception):
    """A closure grew past its limit (see :func:`within`)."""


def _closure(hops: Hops, start: set[str], modes: Modes, limit: Limit | None = None) -> set[str]:
    """Breadth-first by mode; each level asks every hop of every mode's frontier at once
    (one round trip to Neo4j per level). Raises _TooLarge past ``limit`` parties."""
    seen = set(start)
    expanded: dict[str, set[str]] = {mode: set() for mode in modes}
    frontier: dict[str, set[str]] = {"start": set(start)}
    while frontier:
        _bounded(seen, limit)  # before asking Neo4j for more
        answers = _level(hops, _asks(frontier, modes), seen, limit)
        following: dict[str, set[str]] = {}
        for mode, parties in frontier.items():
            for hop, next_mode in modes[mode]:
                reached = answers.get(hop, {})
                for party in set().union(*(reached.get(p, ()) for p in parties)):
                    seen.add(party)
                    if next_mode is not None and party not in expanded[next_mode]:
                        following.setdefault(next_mode, set()).add(party)
        for mode, parties in following.items():
            expanded[mode] |= parties
        frontier = following
    return _bounded(seen, limit)


#: A level cut short before it passed the limit is asked again for this many times its rows:
#: the rows read in vain (the same query, cut shorter) stay under a third of the level's.
AGAIN = 4


def _level(
    hops: Hops, asks: Mapping[str, set[str]], seen: set[str], limit: Limit | None
) -> Answers:
    """One level's answers. With a limit, at most ``limit + 1`` rows are read first; if they
    were cut short, the parties they reach are some of those the level adds, so when they
    alone take the search past the limit the scope is too large (raises _TooLarge), else the
    level is asked again for :data:`AGAIN` times as many rows, until an answer is whole.

    >>> hops = GraphHops.of([(f"P{i}", "C", "HOLDS_SHARES") for i in range(9)])
    >>> asked = CountedHops(hops)
    >>> _level(asked, {UP_HOLDERS: {"C"}}, {"C"}, Limit(3))
    Traceback (most recent call last):
    ...
    graph_service.propagation.scope._TooLarge
    >>> asked.rows  # four of the nine holders were read, not nine
    [4]
    >>> len(_level(asked, {UP_HOLDERS: {"C"}}, {"C"}, Limit(9))[UP_HOLDERS]["C"])
    9
    """
    if limit is None:
        return hops(asks)
    rows = limit.value + 1
    while True:
        answers = hops(asks, rows)
        if _triples(answers) < rows:  # fewer rows than asked for: the whole answer
            return answers
        reached = seen.union(*(parties for hop in answers.values() for parties in hop.values()))
        if limit.passed_by(len(reached)):
            raise _TooLarge
        rows = max(rows * AGAIN, limit.value + 1)  # the limit may have grown


def _triples(answers: Answers) -> int:
    """How many (hop, party asked, party reached) an answer holds: its rows."""
    return sum(len(parties) for hop in answers.values() for parties in hop.values())


def _asks(frontier: Mapping[str, set[str]], modes: Modes) -> dict[str, set[str]]:
    """Every hop of every mode of the frontier, with the parties to ask it from."""
    asks: dict[str, set[str]] = {}
    for mode, parties in frontier.items():
        for hop, _ in modes[mode]:
            asks.setdefault(hop, set()).update(parties)
    return asks


def _bounded(seen: set[str], limit: Limit | None) -> set[str]:
    if limit is not None and limit.passed_by(len(seen)):
        raise _TooLarge
    return seen


@dataclass
class GraphHops:
    """:class:`Hops` over an in-memory edge list (tests, and as the reference semantics)."""

    edges: list[tuple[str, str, str]]  # (source, target, relationship type)
    named: list[tuple[str, str]] = field(default_factory=list)  # (record subject, named person)

    @classmethod
    def of(
        cls, edges: Iterable[tuple[str, str, str]], named: Iterable[tuple[str, str]] = ()
    ) -> GraphHops:
        """Hops over ``edges`` and the (subject, named person) pairs of records."""
        return cls(list(edges), list(named))

    def __call__(self, asks: Mapping[str, set[str]], rows: int | None = None) -> Answers:
        answers = {hop: self._hop(hop, parties) for hop, parties in asks.items()}
        if rows is None or _triples(answers) <= rows:
            return answers
        kept: dict[str, dict[str, set[str]]] = {}  # the first ``rows`` triples in sorted order
        triples = sorted(
            (h, a, b) for h, reached in answers.items() for a, bs in reached.items() for b in bs
        )
        for hop, source, party in triples[:rows]:
            kept.setdefault(hop, {}).setdefault(source, set()).add(party)
        return kept

    def _hop(self, hop: str, party_ids: set[str]) -> dict[str, set[str]]:
        forward, types = _HOP_EDGES[hop]
        if types is None:  # a record link, not a relationship
            pairs = self.named if forward else [(b, a) for a, b in self.named]
        else:
            pairs = [(s, t) if forward else (t, s) for s, t, r in self.edges if r in types]
        reached: dict[str, set[str]] = {}
        for a, b in pairs:
            if a in party_ids:
                reached.setdefault(a, set()).add(b)
        return reached


class CountedHops:
    """:class:`Hops` that remembers how many rows each call answered (tests, doctests)."""

    def __init__(self, hops: Hops) -> None:
        self.hops = hops
        self.rows: list[int] = []

    def __call__(self, asks: Mapping[str, set[str]], rows: int | None = None) -> Answers:
        answers = self.hops(asks, rows)
        self.rows.append(_triples(answers))
        return answers


#: hop → (follows relationships forwards?, their types; None for record links)
_HOP_EDGES: dict[str, tuple[bool, frozenset[str] | None]] = {
    UP_HOLDERS: (False, frozenset({"HOLDS_SHARES"})),
    DOWN_HOLDINGS: (True, frozenset({"HOLDS_SHARES"})),
    REPS_OFFICERS: (False, frozenset({"LEGAL_REP_OF", "OFFICER_OF"})),
    ROLES_HELD: (True, frozenset({"LEGAL_REP_OF", "OFFICER_OF"})),
    BRANCH_PARENTS: (True, frozenset({"BRANCH_OF"})),
    BRANCHES: (False, frozenset({"BRANCH_OF"})),
    NAMED_PERSONS: (True, None),
    NAMED_SUBJECTS: (False, None),
}
