"""The GraphQL modules depend downward: their import graph has no cycle.

Type families that import each other (at the top or inside a function) make every family load
all the others and hide which one is the base. A true mutual reference between two types is
written with ``strawberry.lazy`` (a string, imported when the schema is built), which this
graph rightly leaves out; so are imports under ``if TYPE_CHECKING:``, which never run.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import networkx as nx

import graph_service.gql
from graph_service.gql import shared
from graph_service.gql.case import Case
from graph_service.gql.party import Company, Official
from graph_service.gql.schema import schema

GQL_PACKAGE = "graph_service.gql"
GQL_DIR = Path(graph_service.gql.__file__).parent


def _is_type_checking(node: ast.If) -> bool:
    """``if TYPE_CHECKING:`` or ``if typing.TYPE_CHECKING:``."""
    test = node.test
    if isinstance(test, ast.Attribute):
        return test.attr == "TYPE_CHECKING"
    return isinstance(test, ast.Name) and test.id == "TYPE_CHECKING"


def _runtime_imports(node: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    """Every import statement under ``node`` at any depth, except those only type checkers see."""
    for child in ast.iter_child_nodes(node):
        if isinstance(child, ast.Import | ast.ImportFrom):
            yield child
        elif isinstance(child, ast.If) and _is_type_checking(child):
            yield from _runtime_imports(ast.Module(body=child.orelse, type_ignores=[]))
        else:
            yield from _runtime_imports(child)


def _targets(statement: ast.Import | ast.ImportFrom, package: str, module: str) -> Iterator[str]:
    """The modules a statement may import: the module itself and, for ``from package import
    name``, ``package.name`` (a submodule if it is one)."""
    if isinstance(statement, ast.Import):
        yield from (alias.name for alias in statement.names)
        return
    base = statement.module or ""
    if statement.level:  # relative: resolve against the importing module's package
        parts = module.split(".")[: -statement.level]
        base = ".".join([*parts, base]) if base else ".".join(parts)
    yield base
    yield from (f"{base}.{alias.name}" for alias in statement.names)


def import_graph(directory: Path, package: str) -> nx.DiGraph[str]:
    """The graph ``importer -> imported`` among the modules of one package directory."""
    modules = {
        (package if path.stem == "__init__" else f"{package}.{path.stem}"): path
        for path in sorted(directory.glob("*.py"))
    }
    graph: nx.DiGraph[str] = nx.DiGraph()
    graph.add_nodes_from(modules)
    for module, path in modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        for statement in _runtime_imports(tree):
            for target in _targets(statement, package, module):
                if target in modules and target not in (module, package):
                    graph.add_edge(module, target)
    return graph


def _cycle_message(graph: nx.DiGraph[str]) -> str:
    cycle = nx.find_cycle(graph)
    return "import cycle: " + " -> ".join([a for a, _ in cycle] + [cycle[0][0]])


def test_gql_modules_import_downward() -> None:
    graph = import_graph(GQL_DIR, GQL_PACKAGE)

    assert len(graph) > 15, "the gql package was not found"
    assert nx.is_directed_acyclic_graph(graph), _cycle_message(graph)


def test_schema_module_is_the_top() -> None:
    # The thin schema module assembles the families; nothing depends on it.
    graph = import_graph(GQL_DIR, GQL_PACKAGE)

    assert list(graph.predecessors(f"{GQL_PACKAGE}.schema")) == []


def test_a_function_level_cycle_is_found_and_type_checking_is_not(tmp_path: Path) -> None:
    # The detector itself: a deferred import closes a cycle; a TYPE_CHECKING import does not.
    (tmp_path / "a.py").write_text("from pkg.b import B\n")
    (tmp_path / "b.py").write_text("def f():\n    from pkg import a\n")
    (tmp_path / "c.py").write_text(
        "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.a import A\n"
    )
    (tmp_path / "d.py").write_text("from .c import C\n")

    graph = import_graph(tmp_path, "pkg")

    assert set(graph.edges) == {("pkg.a", "pkg.b"), ("pkg.b", "pkg.a"), ("pkg.d", "pkg.c")}
    assert not nx.is_directed_acyclic_graph(graph)


def test_the_families_build_parties_and_cases_of_the_schema_types() -> None:
    # Families below party.py and case.py build objects through shared; the types registered
    # their constructors when the schema imported them.
    official = {"labels": ["Party", "Person", "Official"], "props": {"party_id": "110101X"}}
    company = {"labels": ["Party", "Company"], "props": {"party_id": "91X", "kind": "company"}}

    built = [shared.party_of(official), shared.party_of(company)]
    case = shared.case_of({"case_no": "(2024)京01民初1号"}, None)

    assert schema.get_type_by_name("Party") is not None
    assert [type(p) for p in built] == [Official, Company]
    assert isinstance(case, Case)
    assert (case.case_no, case.court_read, case.court_row) == ("(2024)京01民初1号", True, None)
