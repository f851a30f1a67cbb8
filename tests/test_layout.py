"""The package layout: imports go one way between ``graph_service`` and ``loaders``.

``loaders`` is the ingest engine and its mappings; it may use the service's database, identifier,
model, error, query and spreadsheet-cell modules, nothing else. ``graph_service`` reaches
``loaders`` only from its command line (``graph_service/cli``), which is where loading is
started. Imports are read from the source with :mod:`ast` (lazy imports inside functions
included), not by importing.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import ROOT

#: What ``loaders`` may import from ``graph_service``.
LOADERS_MAY_USE = {
    "graph_service.db",
    "graph_service.identifiers",
    "graph_service.model",
    "graph_service.errors",
    "graph_service.faults",  # the phase boundaries of the crash tests (test_crash.py)
    "graph_service.queries",
    "graph_service.spreadsheet",
}
#: The ingest engine's modules; anything else (a generator, a demo) belongs elsewhere.
ENGINE_MODULES = {
    "__init__", "encoding", "engine", "mapping", "read", "stage", "summary", "validate", "write",
    # credit-graph import: the engine's statements on a graph in memory (spilled to a SQLite
    # file past a limit), written as importer CSV
    "bulk", "bulk_csv", "bulk_graph", "bulk_statements", "bulk_store",
}  # fmt: skip


def imported_names(source: str, module: str) -> Iterator[str]:
    """The dotted name of everything imported in ``source`` (of ``module``), relative ones resolved.

    ``from p import m`` gives ``p.m``, so that importing a module and importing from it read alike.

    >>> sorted(imported_names("import a.b\\nfrom . import c\\nfrom .d import e", "p.q.m"))
    ['a.b', 'p.q.c', 'p.q.d.e']
    """
    package = module.rsplit(".", 1)[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = package.rsplit(".", node.level - 1)[0] if node.level else ""
            origin = ".".join(part for part in (base, node.module or "") if part)
            yield from (f"{origin}.{alias.name}" for alias in node.names)


def imports_under(folder: str) -> Iterator[tuple[str, str]]:
    """(file, imported module) for every import in the Python files under ``folder``."""
    for path in sorted((ROOT / folder).rglob("*.py")):
        relative = path.relative_to(ROOT)
        module = ".".join(relative.with_suffix("").parts)
        for imported in imported_names(path.read_text(encoding="utf-8"), module):
            yield str(relative), imported


def names_package(imported: str, package: str) -> bool:
    """Whether ``imported`` is ``package`` or one of its submodules."""
    return imported == package or imported.startswith(package + ".")


def test_graph_service_imports_loaders_only_from_the_cli() -> None:
    cli = Path("graph_service", "cli")
    offenders = [
        (file, imported)
        for file, imported in imports_under("graph_service")
        if names_package(imported, "loaders") and cli not in Path(file).parents
    ]
    assert offenders == [], "only graph_service/cli may import loaders"


def test_loaders_use_only_the_services_db_identifiers_model_errors_and_queries() -> None:
    offenders = [
        (file, imported)
        for file, imported in imports_under("loaders")
        if names_package(imported, "graph_service")
        and not any(names_package(imported, allowed) for allowed in LOADERS_MAY_USE)
    ]
    assert offenders == [], f"loaders may import from graph_service only {sorted(LOADERS_MAY_USE)}"


def test_loaders_hold_the_engine_and_its_mappings_only() -> None:
    folder = ROOT / "loaders"
    modules = {path.stem for path in folder.glob("*.py")}
    assert modules <= ENGINE_MODULES, "not part of the ingest engine: move it out of loaders/"
    others = {p.name for p in folder.iterdir() if p.suffix != ".py"} - {"__pycache__"}
    assert others == {"mappings", "py.typed"}
    assert all(path.suffix == ".yaml" for path in (folder / "mappings").iterdir())
