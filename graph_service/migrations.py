"""Versioned schema migrations.

A migration is a folder ``cypher/schema/vNNN/`` of idempotent DDL statements (``IF NOT
EXISTS``), applied in name order. The applied versions are recorded as ``SchemaMigration``
nodes, so ``migrate`` can run any number of times and only adds what is missing.

Each applied migration also records the digest of its statements. A shipped migration must
never change once applied (a graph migrated with the old text would silently miss the new
one): :func:`require_current` and :func:`migrate` refuse a graph whose recorded digest
differs from the shipped migration's, naming the version.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from graph_service.db import Database
from graph_service.errors import Conflict, SchemaError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One schema version: its number, the names of its statements and their digest."""

    version: int
    statements: tuple[str, ...]
    digest: str


def available(db: Database) -> list[Migration]:
    """Every migration shipped in ``cypher/schema/``, oldest first."""
    by_version: dict[int, list[str]] = {}
    for query in db.registry.under("schema"):
        folder = query.name.split("/")[1]  # schema/v001/<statement>
        by_version.setdefault(int(folder.lstrip("v")), []).append(query.name)
    return [
        Migration(v, tuple(sorted(names)), _digest(db, sorted(names)))
        for v, names in sorted(by_version.items())
    ]


def _digest(db: Database, names: list[str]) -> str:
    """The digest of a migration's statements: names and texts, in order."""
    text = "\n".join(f"{name}\n{db.registry[name].text}" for name in names)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _require_unchanged(db: Database, *, record_missing: bool = False) -> None:
    """Raises :class:`SchemaError` if an applied migration differs from the shipped one;
    with ``record_missing``, records the digest of those applied before digests were kept."""
    shipped = {m.version: m.digest for m in available(db)}
    for row in db.read("meta/applied_migrations"):
        recorded, version = row["digest"], int(row["version"])
        if version not in shipped:
            continue
        if recorded is None and record_missing:
            db.write("meta/set_migration_digest", version=version, digest=shipped[version])
        elif recorded is not None and recorded != shipped[version]:
            raise SchemaError(
                f"schema migration v{version:03d} was changed after it was applied to this"
                " graph; a shipped migration must not change: restore it and add a new one"
            )


def expected_version(db: Database) -> int:
    """The schema version this code needs: the newest shipped migration."""
    found = available(db)
    return found[-1].version if found else 0


def current_version(db: Database) -> int:
    """The newest migration applied to the graph, 0 if none."""
    rows = db.read("meta/schema_version")
    version = rows[0]["version"] if rows else None
    return int(version) if version is not None else 0


def migrate(db: Database) -> list[int]:
    """Applies every migration newer than the graph's version; returns the versions applied.

    Each statement is idempotent, so a migration interrupted half-way is simply rerun.
    """
    _require_unchanged(db, record_missing=True)
    applied = []
    current = current_version(db)
    for migration in available(db):
        if migration.version <= current:
            continue
        for name in migration.statements:
            db.run_autocommit(name)
        db.run_autocommit("meta/await_indexes")
        db.write(
            "meta/record_migration",
            version=migration.version,
            statements=list(migration.statements),
            digest=migration.digest,
        )
        log.info("schema migration applied", extra={"version": migration.version})
        applied.append(migration.version)
    return applied


def require_current(db: Database) -> int:
    """Raises :class:`SchemaError` unless the graph is at the expected version, with every
    applied migration as shipped."""
    _require_unchanged(db)
    current, expected = current_version(db), expected_version(db)
    if current != expected:
        raise SchemaError(
            f"graph schema is at version {current}, this service needs {expected}:"
            " run `credit-graph db migrate`"
        )
    return current


#: Passes of :func:`reset` before it gives up on a graph that is being written meanwhile.
RESET_PASSES = 3


def reset(db: Database) -> None:
    """Deletes every data node and relationship; constraints, indexes and the version stay.

    The deletion runs in batches, so a write that commits during it can survive it: an audit
    entry still queued by a server (GraphQL's are not waited for) whose ``:AuditHead`` the
    next batch deleted, so that the next chain collides with it at that seq and every later
    audit write fails. So the graph is emptied again until a pass leaves nothing, and a graph
    still written to after :data:`RESET_PASSES` passes (a service running) is refused.
    """
    for _ in range(RESET_PASSES):
        db.run_autocommit("meta/reset_data", timeout_s=600)
        (left,) = db.read("meta/count_nodes")
        if left["nodes"] == 0:
            return
    raise Conflict(
        f"the graph was written while it was being reset ({left['nodes']} nodes made meanwhile,"
        f" after {RESET_PASSES} passes): stop the service and every load, then reset again"
    )
