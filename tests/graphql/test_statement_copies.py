"""Statements that carry a copy of another's text, so that a view is one read: the copy must
stay the same text as its original, or the view would answer other than the field read on
its own does (for data the equality tests on the samples may not hold)."""

from __future__ import annotations

import re

import pytest

from graph_service.queries import get_registry

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
