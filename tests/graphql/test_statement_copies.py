"""Statements that carry a copy of another's text, so that a view is one read: the copy must
stay the same text as its original, or the view would answer other than the field read on
its own does (for data the equality tests on the samples may not hold)."""

from __future__ import annotations

import re

import pytest

from graph_service.queries import get_registry
from tests.test_queries import _summary_parts

#: What explore/control_chains reads above a company, from its subquery to its officers.
CONTROL_BODY = re.compile(r"CALL \(c\) \{\n.*?\n\}\n", re.S)
CONTROL_OFFICERS = re.compile(r"\[n IN members \| \[\(n\)<-\[o:OFFICER_OF\].*?\]\]", re.S)


def _one(pattern: re.Pattern[str], text: str, name: str) -> str:
    found = pattern.findall(text)
    assert len(found) == 1, f"{name}: {len(found)} matches of {pattern.pattern!r}"
    return str(found[0])


def _body(text: str, name: str) -> str:
    """The control subquery of ``text`` without its first line (``CALL (c) {`` in the
    original, ``CALL (root) {`` and ``WITH root AS c WHERE $control`` in a copy)."""
    start = text.index("  OPTIONAL MATCH p = (c)")
    return _one(CONTROL_BODY, "CALL (c) {\n" + text[start:], name)


@pytest.mark.parametrize("copy", ["explore/holdings_walk_in", "explore/holdings_walk_out"])
def test_the_ownership_walk_reads_control_as_control_chains_does(copy: str) -> None:
    registry = get_registry()
    original = registry["explore/control_chains"].text
    copied = registry[copy].text
    assert _body(copied, copy) == _body(original, "explore/control_chains")
    assert _one(CONTROL_OFFICERS, copied, copy) == _one(
        CONTROL_OFFICERS, original, "explore/control_chains"
    )
    assert "WITH root AS c WHERE $control\n" in copied


def test_a_change_to_the_original_would_be_seen() -> None:
    original = get_registry()["explore/control_chains"].text
    changed = original.replace("$majority_pct){1,10}", "$majority_pct){1,12}")
    assert changed != original
    assert _body(changed, "changed") != _body(original, "original")


# --- the party card and the case view (graph_service/gql/cards.py; reviewer's F8) ------------
#
# Each card carries, per list, the clauses that decide what the list holds and in which order
# (the pattern, the filters, the ORDER BY) as the list's own statement has them. Below, each is
# taken from both, the card's parameters named as the list's, the list's batch variable (`id`)
# and the anchor it carries along dropped; the two must then read the same. What each returns
# per item is compared by the equality tests (tests/graphql/test_cards.py).

#: card, list, the card's block (its column), the list's anchor variable, renames card -> list.
CARD_LISTS = [
    ("party/card", "party/cases", "cases", None, {"$cases.roles": "$roles"}),
    ("party/card", "party/legal_rep", "legal_reps", "c", {"(r:Party)": "(p:Party)",
                                                          "r.party_id": "p.party_id",
                                                          "x, r ": "x, p "}),
    ("party/card", "party/measures", "measures", None, {}),
    ("case/card", "case/parties", "parties", "k", {"$parties.roles": "$roles"}),
    ("case/card", "case/officials", "officials", "k", {}),
    ("case/card", "case/interventions", "interventions", "k", {}),
    ("case/card", "case/records", "records", None, {"$records.on": "$on",
                                                    "$records.state": "$state"}),
]  # fmt: skip


def _flat(text: str) -> str:
    return " ".join(text.split())


def _list_clauses(text: str, anchor: str | None) -> str:
    """A list statement from its MATCH's relationship to before it collects, as the card
    would hold it: the anchor node left out, the batch's ``id`` and the anchor not carried."""
    body = _flat(re.sub(r"^//.*\n", "", text, flags=re.M))
    found = re.search(r"MATCH \([^)]*\)(.*?) WITH id, (?:collect|[a-z]+ ORDER BY r\.started)", body)
    if found is None:  # the list ends where it collects: "WITH id, collect(...)" or RETURN
        found = re.search(r"MATCH \([^)]*\)(.*?) (?:WITH id, collect|RETURN id)", body)
    assert found is not None, text
    clauses = found.group(1).replace("WITH id, ", "WITH ")
    if anchor is not None:
        clauses = clauses.replace(f"WITH {anchor}, ", "WITH ").replace(f", {anchor} ", " ")
        clauses = clauses.replace(f", {anchor}, ", ", ")
    return clauses


def _card_clauses(text: str, column: str, renames: dict[str, str]) -> str:
    """The card's block of one list (``COLLECT { MATCH (anchor)... RETURN`` ``END AS column``),
    from its relationship to before it returns, with the card's names renamed."""
    blocks = re.findall(r"COLLECT \{(.*?)\} END AS (\w+)", _flat(text))
    [block] = [b for b, name in blocks if name == column]
    found = re.search(r"MATCH \([^)]*\)(.*?) RETURN ", block)
    assert found is not None, block
    clauses = found.group(1)
    for old, new in renames.items():
        clauses = clauses.replace(old, new)
    return clauses


@pytest.mark.parametrize(
    ("card", "listed", "column", "anchor", "renames"),
    CARD_LISTS,
    ids=[f"{c[0]}:{c[1]}" for c in CARD_LISTS],
)
def test_each_card_list_is_filtered_and_ordered_as_its_own_statement(
    card: str, listed: str, column: str, anchor: str | None, renames: dict[str, str]
) -> None:
    registry = get_registry()
    copied = _card_clauses(registry[card].text, column, renames)
    assert copied == _list_clauses(registry[listed].text, anchor)
    assert "ORDER BY" in copied  # the page's order is part of what is compared


def test_the_card_summarises_credit_as_party_credit_summary() -> None:
    registry = get_registry()
    own = {
        n: e
        for e, n in re.findall(
            r"(\[\(p\).*?\]|COUNT \{[^}]*\}) AS (\w+)", _flat(registry["party/credit_summary"].text)
        )
    }
    block = re.search(
        r"CASE WHEN \$credit THEN \{(.*?)\} END AS credit", _flat(registry["party/card"].text)
    )
    assert block is not None
    columns = r"(\w+): (\[\(p\).*?\]|COUNT \{[^}]*\})(?=, \w+: |\s*$)"
    copied = dict(re.findall(columns, block.group(1)))
    assert sorted(own) == ["case_count", "convictions", "measures", "records"]
    assert copied == own


def test_the_card_counts_ties_as_party_tie_counts() -> None:
    registry = get_registry()
    own = re.search(r"RETURN id, (\[.*\]) AS counts", _flat(registry["party/tie_counts"].text))
    copied = re.search(
        r"CASE WHEN \$tie_counts IS NOT NULL THEN (\[.*?\]) END AS tie_counts",
        _flat(registry["party/card"].text),
    )
    assert own is not None and copied is not None
    assert copied.group(1).replace("$tie_counts.on", "$on") == own.group(1)


# --- the ownership walk's two directions (explore/holdings_walk_in, _out) --------------------
#
# Two files because a pattern's direction cannot be a parameter; everything else — the steps,
# the frontier's bookkeeping, the control rule's copy, what each row returns — must be the
# same statement, or the tree UP and the tree DOWN would be walked by different rules.

#: The one line that differs: the step's pattern, (frontier)<-[r]-(holder) or -[r]->(held).
WALK_PATTERN = {
    "explore/holdings_walk_in": "    MATCH (a:Party {party_id: key})<-[r]-(b)\n",
    "explore/holdings_walk_out": "    MATCH (a:Party {party_id: key})-[r]->(b)\n",
}


def _walk_text(name: str, text: str) -> str:
    """``text`` (the statement as the registry holds it) with its pattern replaced by a mark."""
    pattern = WALK_PATTERN[name]
    assert text.count(pattern) == 1, f"{name}: the step's pattern is not there once"
    return text.replace(pattern, "PATTERN\n")


def test_the_ownership_walks_differ_only_in_their_pattern() -> None:
    registry = get_registry()
    texts = {name: _walk_text(name, registry[name].text) for name in WALK_PATTERN}
    assert texts["explore/holdings_walk_in"] == texts["explore/holdings_walk_out"]


def test_a_change_to_one_walk_alone_would_be_seen() -> None:
    text = get_registry()["explore/holdings_walk_out"].text
    changed = text.replace("WITH r, b LIMIT $limit", "WITH r, b LIMIT $limit + 1")
    assert changed != text
    name = "explore/holdings_walk_out"
    assert _walk_text(name, changed) != _walk_text(name, text)
    inward = _walk_text("explore/holdings_walk_in", get_registry()["explore/holdings_walk_in"].text)
    assert _walk_text(name, changed) != inward


# --- the network's first step (explore/first_step_*, graph_service/gql/cards.py) -------------
#
# The first step from a party carries explore/expand_*'s text from its pattern on, inside a
# subquery, so that the network's first ring is the step a later ring is: the same pattern,
# filters, limit and columns. And the party's own credit summary is party/credit_summary's.

STEPS = {
    "explore/first_step_out": "explore/expand_out",
    "explore/first_step_in": "explore/expand_in",
    "explore/first_step_both": "explore/expand_both",
}


def _from_pattern(text: str) -> str:
    """``text`` from the step's pattern (``MATCH (a)…``) on, whitespace flattened."""
    return _flat(text[text.index("MATCH (a)") :])


def _subquery(text: str) -> str:
    """The first step's subquery body, from the pattern to the ``}`` that closes it."""
    body = text[text.index("OPTIONAL CALL (a) {\n") :]
    return _from_pattern(body[: body.index("\n}\n")])


@pytest.mark.parametrize("copy", list(STEPS))
def test_the_first_step_is_the_step_from_the_party(copy: str) -> None:
    registry = get_registry()
    assert _subquery(registry[copy].text) == _from_pattern(registry[STEPS[copy]].text)


def test_a_change_to_the_step_alone_would_be_seen() -> None:
    registry = get_registry()
    original = registry["explore/expand_both"].text
    changed = original.replace("(b:Party OR b:Case)", "(b:Party)")
    assert changed != original
    assert _subquery(registry["explore/first_step_both"].text) != _from_pattern(changed)


@pytest.mark.parametrize("copy", list(STEPS))
def test_the_first_step_summarises_its_party_as_party_credit_summary(copy: str) -> None:
    registry = get_registry()
    text = registry[copy].text
    own = text[text.index("\n}\n") :]  # after the step: the party's own columns
    expected = _summary_parts(registry["party/credit_summary"].text, walk=False)
    assert _summary_parts(own, walk=True) == expected


# The three first steps are one statement but for the step's pattern (a pattern's direction
# cannot be a parameter), and the party's own row is party/by_id's (the reviewer's W3: the
# step and the summary were guarded, the three files' likeness and the party's columns not).

#: The one line that differs: the step's pattern from the party.
FIRST_PATTERN = {
    "explore/first_step_out": "  MATCH (a)-[r]->(b)\n",
    "explore/first_step_in": "  MATCH (a)<-[r]-(b)\n",
    "explore/first_step_both": "  MATCH (a)-[r]-(b)\n",
}


def _first_text(name: str, text: str) -> str:
    """``text`` without its comment lines, its pattern replaced by a mark."""
    pattern = FIRST_PATTERN[name]
    assert text.count(pattern) == 1, f"{name}: the step's pattern is not there once"
    return re.sub(r"^//.*\n", "", text, flags=re.M).replace(pattern, "PATTERN\n")


def test_the_first_steps_differ_only_in_their_pattern() -> None:
    registry = get_registry()
    texts = {_first_text(name, registry[name].text) for name in FIRST_PATTERN}
    assert len(texts) == 1


def test_a_change_to_one_first_step_alone_would_be_seen() -> None:
    registry = get_registry()
    name = "explore/first_step_in"
    changed = registry[name].text.replace("WITH r, b LIMIT $limit", "WITH r, b LIMIT $limit + 1")
    assert changed != registry[name].text
    both = "explore/first_step_both"
    assert _first_text(name, changed) != _first_text(both, registry[both].text)


def _lookup_columns(text: str) -> str:
    """party/by_id's columns after the party's ``id``, its node named ``a`` as in a first step."""
    found = re.search(r"RETURN id, (.*)$", _flat(text))
    assert found is not None, text
    return found.group(1).replace("(p)", "(a)")


@pytest.mark.parametrize("copy", list(FIRST_PATTERN))
def test_the_first_step_returns_its_party_as_party_by_id(copy: str) -> None:
    registry = get_registry()
    columns = _lookup_columns(registry["party/by_id"].text)
    assert columns == "labels(a) AS labels, properties(a) AS props"  # not vacuous
    assert _flat(registry[copy].text).count(f"RETURN $id AS id, {columns}, ") == 1


def test_a_column_added_to_the_lookup_would_be_seen() -> None:
    registry = get_registry()
    changed = registry["party/by_id"].text.rstrip() + ", p.name AS name\n"
    columns = _lookup_columns(changed)
    assert f"RETURN $id AS id, {columns}, " not in _flat(registry["explore/first_step_both"].text)
