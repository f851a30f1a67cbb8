"""The registry of named Cypher queries.

Every Cypher statement the service runs is a file under ``cypher/``, one statement per file,
named by its path without the extension (``cypher/party/by_id.cypher`` is ``party/by_id``).
The registry reads them once; asking for a name that has no file is an error, and a test
fails on a file that no code uses.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

from graph_service.errors import UnknownQuery


@dataclass(frozen=True)
class NamedQuery:
    """One Cypher statement and the name it is known by (sent to Neo4j as metadata)."""

    name: str
    text: str


def cypher_dir() -> Path:
    """Where the ``.cypher`` files are: inside the installed package, else the repository's."""
    packaged = Path(str(resources.files("graph_service"))) / "cypher"
    if packaged.is_dir():
        return packaged
    return Path(__file__).resolve().parent.parent / "cypher"


class QueryRegistry:
    """All named queries of one ``cypher/`` folder, read once."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._queries = {q.name: q for q in _read_all(root)}

    def __getitem__(self, name: str) -> NamedQuery:
        try:
            return self._queries[name]
        except KeyError:
            raise UnknownQuery(f"no Cypher file for query {name!r} under {self.root}") from None

    def __contains__(self, name: object) -> bool:
        return name in self._queries

    def names(self) -> list[str]:
        """Every query name, sorted."""
        return sorted(self._queries)

    def under(self, prefix: str) -> list[NamedQuery]:
        """The queries whose name starts with ``prefix/``, sorted by name."""
        return [self._queries[n] for n in self.names() if n.startswith(prefix + "/")]


def _read_all(root: Path) -> list[NamedQuery]:
    queries = []
    for path in sorted(root.rglob("*.cypher")):
        name = path.relative_to(root).with_suffix("").as_posix()
        text = _strip_comments(path.read_text(encoding="utf-8"))
        if not text:
            raise UnknownQuery(f"Cypher file {path} is empty")
        queries.append(NamedQuery(name, text))
    return queries


def _strip_comments(text: str) -> str:
    """Drops whole-line ``//`` comments (kept in files for readers) and surrounding space."""
    lines = [ln for ln in text.splitlines() if not ln.lstrip().startswith("//")]
    return "\n".join(lines).strip().rstrip(";")


@lru_cache(maxsize=1)
def get_registry() -> QueryRegistry:
    """The process-wide registry of the shipped ``cypher/`` folder."""
    return QueryRegistry(cypher_dir())
