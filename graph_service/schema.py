"""Versioned schema migrations.

A migration is a folder ``cypher/schema/vNNN/`` of idempotent DDL statements (``IF NOT
EXISTS``), applied in name order. The applied versions are recorded as ``SchemaMigration``
nodes, so ``migrate`` can run any number of times and only adds what is missing.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from graph_service.db import Database
from graph_service.errors import SchemaError

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class Migration:
    """One schema version: its number and the names of its statements."""

    version: int
    statements: tuple[str, ...]


def migrations(db: Database) -> list[Migration]:
    """Every migration shipped in ``cypher/schema/``, oldest first."""
    by_version: dict[int, list[str]] = {}
    for query in db.registry.under("schema"):
        folder = query.name.split("/")[1]  # schema/v001/<statement>
        by_version.setdefault(int(folder.lstrip("v")), []).append(query.name)
    return [Migration(v, tuple(sorted(names))) for v, names in sorted(by_version.items())]


def expected_version(db: Database) -> int:
    """The schema version this code needs: the newest shipped migration."""
    found = migrations(db)
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
    applied = []
    current = current_version(db)
    for migration in migrations(db):
        if migration.version <= current:
            continue
        for name in migration.statements:
            db.run_autocommit(name)
        db.run_autocommit("meta/await_indexes")
        db.write(
            "meta/record_migration",
            version=migration.version,
            statements=list(migration.statements),
        )
        log.info("schema migration applied", extra={"version": migration.version})
        applied.append(migration.version)
    return applied


def require_current(db: Database) -> int:
    """Raises :class:`SchemaError` unless the graph is at the expected version."""
    current, expected = current_version(db), expected_version(db)
    if current != expected:
        raise SchemaError(
            f"graph schema is at version {current}, this service needs {expected}:"
            " run `credit-graph db migrate`"
        )
    return current


def reset(db: Database) -> None:
    """Deletes every data node and relationship; constraints, indexes and the version stay."""
    db.run_autocommit("meta/reset_data", timeout_s=600)
