"""The registry of named Cypher queries.

Every Cypher statement the service runs is a file under ``cypher/``, one statement per file,
named by its path without the extension (``cypher/party/by_id.cypher`` is ``party/by_id``).
The registry reads them once; asking for a name that has no file is an error, and a test
fails on a file that no code uses.

Package data is found one way, through :mod:`importlib.resources`: ``cypher/`` is a package
(an ``__init__.py`` and no code) that the wheel ships beside ``graph_service`` and
``loaders``, so ``resources.files("cypher")`` is the repository's folder in a development
(editable) install and the installed copy in a wheel, with no second path to fall back to.
The loader mappings and the policy catalog are found the same way.

Statements only tests or benchmarks run live beside them (``tests/cypher/``,
``bench/cypher/``), outside the wheel; they read them with this same registry, given those
folders as extra roots.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable

from graph_service.errors import ConfigError, UnknownQuery

#: The package whose folder holds the shipped ``.cypher`` files (the top-level ``cypher/``).
CYPHER_PACKAGE = "cypher"


@dataclass(frozen=True)
class NamedQuery:
    """One Cypher statement and the name it is known by (sent to Neo4j as metadata)."""

    name: str
    text: str


def cypher_root() -> Traversable:
    """The shipped ``cypher/`` folder, wherever the ``cypher`` package is installed."""
    return resources.files(CYPHER_PACKAGE)


class QueryRegistry:
    """All named queries of one or more folders, read once.

    The service reads one folder, the shipped ``cypher/``; tests and benchmarks add their own.
    A name must come from one folder only: a second file of the same name is refused rather
    than silently shadowing the first.
    """

    def __init__(self, *roots: Traversable) -> None:
        self.roots = roots
        self._queries: dict[str, NamedQuery] = {}
        for root in roots:
            for query in _read_all(root):
                if query.name in self._queries:
                    raise ConfigError(
                        f"Cypher query {query.name!r} is defined twice (in {root} and an earlier"
                        " folder): rename one of the files"
                    )
                self._queries[query.name] = query

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            folders = ", ".join(str(root) for root in self.roots)
            raise UnknownQuery(f"no Cypher file for query {name!r} under {folders}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def names(self) -> list[str]:
        """Every query name, sorted."""
        return sorted(self._queries)

    def under(self, prefix: str) -> list[NamedQuery]:
        """The queries whose name starts with ``prefix/``, sorted by name."""
        return [self._queries[n] for n in self.names() if n.startswith(prefix + "/")]


def _read_all(root: Traversable) -> list[NamedQuery]:
    queries = []
    for name, file in sorted(_cypher_files(root, ""), key=lambda found: found[0]):
        text = _strip_comments(file.read_text(encoding="utf-8"))
        if not text:
            raise UnknownQuery(f"Cypher file {file} is empty")
        queries.append(NamedQuery(name, text))
    return queries


def _cypher_files(folder: Traversable, prefix: str) -> Iterator[tuple[str, Traversable]]:
    """Every ``.cypher`` file below ``folder`` with its name (path without the extension).

    Walks with ``iterdir`` because a :class:`Traversable` (unlike a ``Path``) has no ``rglob``.
    """
    for entry in folder.iterdir():
        if entry.is_dir():
            yield from _cypher_files(entry, f"{prefix}{entry.name}/")
        elif entry.name.endswith(".cypher"):
            yield prefix + entry.name.removesuffix(".cypher"), entry


def _strip_comments(text: str) -> str:
    """Drops whole-line ``//`` comments (kept in files for readers) and surrounding space."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("//")]
    return "\n".join(lines).strip().rstrip(";")


@lru_cache(maxsize=1)
def get_registry() -> QueryRegistry:
    """The process-wide registry of the shipped ``cypher/`` folder."""
    return QueryRegistry(cypher_root())
