"""The fields to run below each object of a document, collected once per document, not per request.

graphql-core works out, for every object it completes, which fields of the document apply to
it (through fragments and inline fragments on its type) and memoises that per execution only:
every request of the workbench's card collected its ~18 selections again (about 0.1 ms of the
event loop's ~0.9 ms in the GraphQL layer; docs/benchmarks.md, issue 13, session 12). The
parser's cache hands every request of the same text the same document
(graph_service/gql/documents.py), so the collection can be kept with the operation and shared
by every execution of it.

Invariant: only a document without any directive shares its collections. What graphql-core
collects below a type depends on the document, the schema and — through ``@skip``,
``@include``, ``@defer`` and fragment variables only — on the request's variables; without
directives it is the same in every execution. graphql-core reads the collected fields and
never changes them, so one collection may serve executions running side by side.
"""

from __future__ import annotations

from typing import Any, Final

from graphql import FragmentDefinitionNode, GraphQLObjectType, Node, OperationDefinitionNode, visit
from graphql.execution.collect_fields import CollectedFields, FieldDetails
from graphql.language import BREAK, Visitor

from graph_service.gql.cycles import AcyclicExecution

#: Operations remembered at most (the parser caches 256 texts); emptied when full.
REMEMBERED: Final = 256

Key = tuple[GraphQLObjectType, tuple[int, ...]]
#: By the operation's identity: the operation itself (so that its id is not reused while it is
#: remembered) and its collections, None for an operation that may not share them.
_SHARED: dict[int, tuple[OperationDefinitionNode, dict[Key, CollectedFields] | None]] = {}


class SharedCollections(AcyclicExecution):
    """graphql-core's execution (freed as it ends, :class:`AcyclicExecution`) whose collected
    subfields come from the operation's shared collections when it has them."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._shared = shared_collections(self.operation, self.fragment_definitions)
        # this execution's answers by the list's identity, as graphql-core memoises them (each
        # item of a list field asks with the same list): the list is kept so its id stays its own
        self._known: dict[tuple[GraphQLObjectType, int], tuple[list[Any], CollectedFields]] = {}

    def collect_subfields(
        self, return_type: GraphQLObjectType, field_details_list: list[FieldDetails]
    ) -> CollectedFields:
        """The subfields of ``field_details_list`` for ``return_type``, collected once per
        operation (keyed by the field nodes, which are the document's own objects)."""
        shared = self._shared
        if shared is None:
            return super().collect_subfields(return_type, field_details_list)
        known = self._known.get((return_type, id(field_details_list)))
        if known is not None:
            return known[1]
        key = (return_type, tuple(id(details.node) for details in field_details_list))
        found = shared.get(key)
        if found is None:
            found = shared[key] = super().collect_subfields(return_type, field_details_list)
        self._known[(return_type, id(field_details_list))] = (field_details_list, found)
        return found


def shared_collections(
    operation: OperationDefinitionNode, fragments: dict[str, FragmentDefinitionNode]
) -> dict[Key, CollectedFields] | None:
    """The operation's shared collections (None: it has directives, it may not share them)."""
    known = _SHARED.get(id(operation))
    if known is not None and known[0] is operation:  # the same object, not a reused id
        return known[1]
    has_directives = _has_directives(operation) or any(
        _has_directives(fragment) for fragment in fragments.values()
    )
    collections: dict[Key, CollectedFields] | None = None if has_directives else {}
    if len(_SHARED) >= REMEMBERED:
        _SHARED.clear()
    _SHARED[id(operation)] = (operation, collections)
    return collections


def _has_directives(node: Node) -> bool:
    """True when a directive appears anywhere in ``node``, or it is a fragment declaring
    variables of its own (graphql-core's experimental fragment arguments).

    >>> from graphql import parse
    >>> _has_directives(parse("{ a { b } }"))
    False
    >>> _has_directives(parse("query ($x: Boolean!) { a @include(if: $x) { b } }"))
    True
    """
    if isinstance(node, FragmentDefinitionNode) and node.variable_definitions:
        return True
    found: list[Node] = []

    class Find(Visitor):
        def enter_directive(self, directive: Node, *_: Any) -> Any:
            found.append(directive)
            return BREAK

    visit(node, Find())
    return bool(found)
