"""The query registry: every Cypher file is used, every name used has a file."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest

from graph_service.errors import UnknownQuery
from graph_service.queries import QueryRegistry, cypher_dir, get_registry

ROOT = Path(__file__).resolve().parent.parent
# Where names of queries may appear: Python code and the declarative data (mappings, policy).
SOURCES = [ROOT / "graph_service", ROOT / "loaders"]
# Tests may use a few helper statements of their own (meta/test_*), and bench/ its own.
USERS = [*SOURCES, ROOT / "tests", ROOT / "bench"]
NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)+$")


def _string_literals(folders: list[Path] = USERS) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.add(node.value)
        for path in [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]:
            found.update(re.findall(r"[a-z0-9_]+(?:/[a-z0-9_]+)+", path.read_text("utf-8")))
    return found


def test_every_cypher_file_is_used() -> None:
    registry = get_registry()
    literals = _string_literals()
    # Schema statements are used by folder: schema.migrate runs every file of each version.
    unused = [n for n in registry.names() if not n.startswith("schema/") and n not in literals]
    assert unused == [], f"Cypher files no code names: {unused}"


def test_every_query_name_in_code_has_a_file() -> None:
    registry = get_registry()
    top_folders = {n.split("/")[0] for n in registry.names()}
    named = {s for s in _string_literals() if NAME.match(s) and s.split("/")[0] in top_folders}
    missing = sorted(n for n in named if n not in registry)
    assert missing == [], f"query names without a Cypher file: {missing}"


def test_unknown_name_is_an_error() -> None:
    with pytest.raises(UnknownQuery, match="nowhere/no_such_query"):
        get_registry()["nowhere/no_such_query"]


def test_files_are_read_by_path_name_without_comments(tmp_path: Path) -> None:
    (tmp_path / "party").mkdir()
    (tmp_path / "party" / "by_id.cypher").write_text(
        "// a comment for readers\nMATCH (p:Party {party_id: $id})\nRETURN p;\n", encoding="utf-8"
    )
    registry = QueryRegistry(tmp_path)
    assert registry.names() == ["party/by_id"]
    assert registry["party/by_id"].text == "MATCH (p:Party {party_id: $id})\nRETURN p"


def test_no_value_is_formatted_into_cypher() -> None:
    """Parameters only: no Cypher file holds a Python format placeholder or concatenation."""
    for path in cypher_dir().rglob("*.cypher"):
        text = path.read_text(encoding="utf-8")
        assert not re.search(r"\{[a-z_]+\}|%s|%\(", text), f"{path} looks formatted"


def test_only_db_module_imports_the_driver() -> None:
    importers = []
    for folder in SOURCES:
        for path in folder.rglob("*.py"):
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n == "neo4j" or n.startswith("neo4j.") for n in names):
                    importers.append(path.relative_to(ROOT).as_posix())
    assert sorted(set(importers)) == ["graph_service/db.py"]
