"""The fields of a GraphQL selection set, through its fragments: the one walk of the document
that its readers share (the depth limit, the operation's audit entry, a walk's question
whether credit reports are asked)."""

from __future__ import annotations

from collections.abc import Mapping

from graphql import (
    FieldNode,
    FragmentDefinitionNode,
    FragmentSpreadNode,
    InlineFragmentNode,
    SelectionSetNode,
)


def fields_of(
    selections: SelectionSetNode,
    fragments: Mapping[str, FragmentDefinitionNode],
    seen: frozenset[str] = frozenset(),
) -> list[FieldNode]:
    """The fields of one selection set in document order, inline fragments and the named
    fragments spread into it included. A spread of an unknown fragment, or of one already
    being spread on this path (a cycle: a validation rule refuses those, but the depth limit
    runs beside that rule), gives nothing.

    >>> from graphql import parse
    >>> document = parse("{ a ...F ... on Q { b } } fragment F on Q { c ...F }")
    >>> operation, fragment = document.definitions
    >>> [field.name.value for field in fields_of(operation.selection_set, {"F": fragment})]
    ['a', 'c', 'b']
    """
    nodes: list[FieldNode] = []
    for node in selections.selections:
        if isinstance(node, FieldNode):
            nodes.append(node)
        elif isinstance(node, InlineFragmentNode):
            nodes += fields_of(node.selection_set, fragments, seen)
        elif isinstance(node, FragmentSpreadNode) and node.name.value in fragments.keys() - seen:
            fragment = fragments[node.name.value].selection_set
            nodes += fields_of(fragment, fragments, seen | {node.name.value})
    return nodes
