"""What every CLI command shares: settings, the database, and printing errors as one line."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import typer

from graph_service.db import Database
from graph_service.policy.catalog import catalog_in_force
from graph_service.settings import Settings, get_settings


def settings() -> Settings:
    """The settings for this command (from the environment)."""
    return get_settings()


@contextmanager
def database() -> Iterator[Database]:
    """A database connection for the duration of one command.

    Checks connectivity first, so a stopped Neo4j or a wrong password fails at once with one
    clear line instead of after the driver's retries; before that, the catalog in force
    (``CREDIT_GRAPH_CATALOG``), so that a bad one is refused before any work is done.
    """
    catalog_in_force(settings())
    with Database(settings()) as db:
        db.server_info()
        yield db


def echo_json(value: Any) -> None:
    """Prints ``value`` as one JSON document (non-ASCII kept readable)."""
    typer.echo(json.dumps(value, ensure_ascii=False, default=str, indent=2))
