"""The service's one settings class.

Every knob the service has is a field here, read from the environment with the
prefix ``CREDIT_GRAPH_`` (or from a ``.env`` file in the working directory).
Nothing else in the code base reads ``os.environ``. See ``docs/configuration.md``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph_service.errors import ConfigError

#: Password of the embedded development server when none is configured. Never used for a
#: configured (production) Neo4j: there the password must be given.
EMBEDDED_DEV_PASSWORD = "credit-graph-dev"  # noqa: S105 - development-only, documented


class Settings(BaseSettings):
    """Configuration of credit-graph, from ``CREDIT_GRAPH_*`` environment variables."""

    model_config = SettingsConfigDict(
        env_prefix="CREDIT_GRAPH_", env_file=".env", env_file_encoding="utf-8", extra="ignore"
    )

    # --- Neo4j connection -------------------------------------------------------------------
    # Bolt URI of a Neo4j server. Empty means "use the embedded Neo4j the project starts",
    # which listens on bolt://127.0.0.1:<embedded_port>.
    neo4j_uri: str = ""
    # User name for Neo4j authentication (authentication is always on).
    neo4j_user: str = "neo4j"
    # Password of that user. Required when neo4j_uri is set; for the embedded server it
    # defaults to a development password, set at the server's first start.
    neo4j_password: SecretStr | None = None
    # Database name inside the Neo4j server (Community edition has one user database: neo4j).
    neo4j_database: str = "neo4j"
    # Seconds a single Cypher query may run before the server aborts it.
    query_timeout_s: float = Field(default=30.0, gt=0)
    # Seconds the driver keeps retrying a managed transaction on transient errors.
    max_retry_time_s: float = Field(default=15.0, ge=0)
    # Seconds to wait for a TCP/Bolt connection to Neo4j before giving up.
    connect_timeout_s: float = Field(default=5.0, gt=0)
    # Rows per transaction for batched writes (UNWIND $rows).
    batch_size: int = Field(default=5000, ge=1, le=100_000)

    # --- Embedded Neo4j (development, tests, `credit-graph run`) -----------------------------
    # Folder for the embedded server's data, logs, pid file and the built launcher jar.
    home: Path = Path(".credit-graph")
    # Folder where the launcher jar is built once and reused (shared by every home).
    launcher_dir: Path = Path(".credit-graph/launcher")
    # Bolt port of the embedded server (always bound to 127.0.0.1).
    embedded_port: int = Field(default=7687, ge=1, le=65535)
    # Java heap of the embedded server; Neo4j would otherwise take a quarter of the RAM.
    embedded_heap: str = "1g"
    # Page cache of the embedded server; Neo4j would otherwise take half of the RAM.
    embedded_pagecache: str = "512m"
    # Seconds `neo4j start` waits for Bolt to answer before it gives up.
    embedded_start_timeout_s: float = Field(default=120.0, gt=0)
    # Java executable used to run the launcher.
    java: str = "java"
    # Maven executable used to build the launcher once.
    maven: str = "mvn"

    # --- HTTP service ---------------------------------------------------------------------
    # Address `credit-graph serve` binds to.
    host: str = "127.0.0.1"
    # Port `credit-graph serve` binds to.
    port: int = Field(default=8000, ge=1, le=65535)
    # Log level of the service's structured (JSON) logs.
    log_level: str = "INFO"

    @property
    def uses_embedded(self) -> bool:
        """True when no Neo4j URI is configured and the embedded server is meant."""
        return not self.neo4j_uri

    @property
    def effective_password(self) -> str:
        """The Neo4j password; only the embedded development server has a default."""
        if self.neo4j_password is not None:
            return self.neo4j_password.get_secret_value()
        if self.uses_embedded:
            return EMBEDDED_DEV_PASSWORD
        raise ConfigError(
            "CREDIT_GRAPH_NEO4J_PASSWORD is not set; it is required with CREDIT_GRAPH_NEO4J_URI"
        )

    @property
    def effective_uri(self) -> str:
        """The Bolt URI the driver connects to."""
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.embedded_port}"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment."""
    return Settings()
