"""The query registries: every Cypher file is used, every name used has a file.

Three folders hold Cypher, each read by the same :class:`QueryRegistry`: the shipped
``cypher/`` (used by the service's code), ``tests/cypher/`` (statements only tests run) and
``bench/cypher/`` (statements only benchmarks run). Each folder's files must be named by the
code that may run them, so a statement only tests or benchmarks use cannot sit in the shipped
folder (and ship in the wheel).
"""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass
from pathlib import Path

import pytest

from graph_service.errors import ConfigError, UnknownQuery
from graph_service.queries import QueryRegistry, cypher_root, get_registry
from tests.conftest import TEST_CYPHER

ROOT = Path(__file__).resolve().parent.parent
# Where names of queries may appear: Python code and the declarative data (mappings, policy).
SOURCES = [ROOT / "graph_service", ROOT / "loaders"]
BENCH_CYPHER = ROOT / "bench" / "cypher"
NAME = re.compile(r"^[a-z0-9_]+(/[a-z0-9_]+)+$")


@dataclass(frozen=True)
class Folder:
    """One folder of Cypher files and the code that may name its statements."""

    registry: QueryRegistry
    users: tuple[Path, ...]
    #: Sub-folders whose statements the code names as f"<folder>/{name}" from a literal name.
    built_names: tuple[str, ...] = ()


SHIPPED = Folder(get_registry(), tuple(SOURCES))
TESTS = Folder(QueryRegistry(TEST_CYPHER), (ROOT / "tests",))
# bench/propagate_cypher.py runs its steps in order by name: f"propagate/{name}".
BENCH = Folder(QueryRegistry(BENCH_CYPHER), (ROOT / "bench",), built_names=("propagate",))
FOLDERS = {"cypher": SHIPPED, "tests/cypher": TESTS, "bench/cypher": BENCH}


def _string_literals(folders: tuple[Path, ...]) -> set[str]:
    found: set[str] = set()
    for folder in folders:
        for path in folder.rglob("*.py"):
            for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
                if isinstance(node, ast.Constant) and isinstance(node.value, str):
                    found.add(node.value)
        for path in [*folder.rglob("*.yaml"), *folder.rglob("*.yml")]:
            found.update(re.findall(r"[a-z0-9_]+(?:/[a-z0-9_]+)+", path.read_text("utf-8")))
    return found


def _is_named(name: str, folder: Folder, literals: set[str]) -> bool:
    if name in literals:
        return True
    prefix, _, base = name.rpartition("/")
    return prefix in folder.built_names and f"{prefix}/" in literals and base in literals


@pytest.mark.parametrize("where", FOLDERS)
def test_every_cypher_file_is_used(where: str) -> None:
    folder = FOLDERS[where]
    literals = _string_literals(folder.users)
    # Schema statements are used by folder: the migrations run every file of each version.
    unused = [
        n
        for n in folder.registry.names()
        if not n.startswith("schema/") and not _is_named(n, folder, literals)
    ]
    assert unused == [], f"Cypher files under {where}/ that no code in {folder.users} names"


@pytest.mark.parametrize("where", FOLDERS)
def test_every_query_name_in_code_has_a_file(where: str) -> None:
    folder = FOLDERS[where]
    # Tests and benchmarks run the shipped statements and their own.
    known = set(SHIPPED.registry.names()) | set(folder.registry.names())
    top_folders = {n.split("/")[0] for f in FOLDERS.values() for n in f.registry.names()}
    literals = _string_literals(folder.users)
    named = {s for s in literals if NAME.match(s) and s.split("/")[0] in top_folders}
    missing = sorted(n for n in named if n not in known)
    assert missing == [], f"query names without a Cypher file: {missing}"


@pytest.mark.parametrize("where", FOLDERS)
def test_unknown_name_is_an_error(where: str) -> None:
    with pytest.raises(UnknownQuery, match="nowhere/no_such_query"):
        FOLDERS[where].registry["nowhere/no_such_query"]


def test_a_registry_of_several_folders_knows_the_names_of_each() -> None:
    shipped, tests = QueryRegistry(cypher_root()), QueryRegistry(TEST_CYPHER)
    both = QueryRegistry(cypher_root(), TEST_CYPHER)
    assert set(both.names()) == set(shipped.names()) | set(tests.names())
    assert both["meta/count_nodes"] == shipped["meta/count_nodes"]
    assert both["meta/test_dump_nodes"] == tests["meta/test_dump_nodes"]
    with pytest.raises(UnknownQuery, match="nowhere/no_such_query"):
        both["nowhere/no_such_query"]


def test_the_same_name_in_two_folders_is_refused(tmp_path: Path) -> None:
    for folder in ("a", "b"):
        (tmp_path / folder / "meta").mkdir(parents=True)
        (tmp_path / folder / "meta" / "count_nodes.cypher").write_text("RETURN 1", "utf-8")
    with pytest.raises(ConfigError, match="'meta/count_nodes' is defined twice"):
        QueryRegistry(tmp_path / "a", tmp_path / "b")


def test_files_are_read_by_path_name_without_comments(tmp_path: Path) -> None:
    (tmp_path / "party").mkdir()
    (tmp_path / "party" / "by_id.cypher").write_text(
        "// a comment for readers\nMATCH (p:Party {party_id: $id})\nRETURN p;\n", encoding="utf-8"
    )
    registry = QueryRegistry(tmp_path)
    assert registry.names() == ["party/by_id"]
    assert registry["party/by_id"].text == "MATCH (p:Party {party_id: $id})\nRETURN p"


@pytest.mark.parametrize("where", FOLDERS)
def test_no_value_is_formatted_into_cypher(where: str) -> None:
    """Parameters only: no Cypher file holds a Python format placeholder or concatenation."""
    registry = FOLDERS[where].registry
    for name in registry.names():
        text = registry[name].text
        assert not re.search(r"\{[a-z_]+\}|%s|%\(", text), f"{where}/{name} looks formatted"


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


#: The walks that bring each party's credit summary with them (``$summaries``), in the shape of
#: ``party/credit_summary``'s row: nine copies of one projection, which must not drift apart.
_SUMMARY_WALKS = ["expand_in", "expand_out", "expand_both"] + [
    f"shortest_paths_{n}" for n in range(1, 7)
]
_SUMMARY_PARTS = ("records", "convictions", "case_count", "measures")


def _summary_parts(text: str, walk: bool) -> dict[str, str]:
    """The four expressions of a credit summary in ``text``, with spaces and the one-letter
    variable names taken out (the walks bind other letters than the summary's statement)."""
    flat = re.sub(r"\b[a-z]\b", "v", re.sub(r"\s+", "", text))
    if not walk:  # RETURN id, <records> AS records, <convictions> AS convictions, …
        rest = flat.split("RETURNid,", 1)[1]
        found = {}
        for this in _SUMMARY_PARTS:
            found[this], rest = rest.split(f"AS{this}", 1)
            rest = rest.removeprefix(",")
        return found
    found = {}  # {id: …, records: <records>, convictions: <convictions>, …} END
    for this, after in zip(_SUMMARY_PARTS, [*_SUMMARY_PARTS[1:], None], strict=True):
        end = f",{after}:" if after else r"\}END"
        match = re.search(rf"{this}:(.+?){end}", flat)
        assert match is not None, f"no {this} in the walk's summary"
        found[this] = match.group(1)
    return found


@pytest.mark.parametrize("walk", _SUMMARY_WALKS)
def test_every_walk_summarises_a_party_as_party_credit_summary_does(walk: str) -> None:
    registry = get_registry()
    expected = _summary_parts(registry["party/credit_summary"].text, walk=False)
    assert _summary_parts(registry[f"explore/{walk}"].text, walk=True) == expected
