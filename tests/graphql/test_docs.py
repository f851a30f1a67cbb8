"""Every example query in docs/graphql.md is valid against the schema and within the caps."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from graphql import parse, validate
from graphql.validation import specified_rules

from graph_service.gql.limits import VALIDATION_RULES
from graph_service.gql.schema import schema

DOC = Path(__file__).resolve().parents[2] / "docs" / "graphql.md"
EXAMPLES = re.findall(r"```graphql\n(.*?)```", DOC.read_text(encoding="utf-8"), re.DOTALL)


def test_the_guide_has_examples() -> None:
    assert len(EXAMPLES) >= 8


@pytest.mark.parametrize("example", EXAMPLES, ids=[f"example-{i}" for i in range(len(EXAMPLES))])
def test_example_is_valid(example: str) -> None:
    rules = [*specified_rules, *VALIDATION_RULES]
    assert validate(schema._schema, parse(example), rules) == [], example
