"""The service's one settings class.

Every knob the service has is a field here, read from the environment with the
prefix ``CREDIT_GRAPH_`` (or from a ``.env`` file in the working directory).
Nothing else in the code base reads ``os.environ``. See ``docs/configuration.md``.
"""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_core import ErrorDetails
from pydantic_settings import BaseSettings, SettingsConfigDict

from graph_service import faults
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
    # Java heap of Neo4j's offline importer (`credit-graph import`, neo4j-admin database import
    # full), set explicitly: the JVM's default is a quarter of the machine's RAM.
    import_heap: str = "1g"
    # Off-heap memory the importer may use for its caches (--max-off-heap-memory); its default,
    # 90 % of the RAM, would take the machine from everyone else.
    import_max_off_heap: str = "1g"
    # Entities (nodes, relationships, index entries) `credit-graph import` keeps in memory
    # while it reads the files; the rest of the graph waits in a SQLite file (docs/import.md).
    import_cache_entries: int = Field(default=200_000, ge=0)

    # --- HTTP service ---------------------------------------------------------------------
    # Address `credit-graph serve` binds to.
    host: str = "127.0.0.1"
    # Port `credit-graph serve` binds to.
    port: int = Field(default=8000, ge=1, le=65535)
    # Log level of the service's structured (JSON) logs.
    log_level: str = "INFO"
    # Seconds within which every HTTP request ends, Neo4j retries and the audit wait included:
    # with its answer, or with 503 and Retry-After (`deadline_exceeded`, `neo4j_unavailable`)
    # while Neo4j is down or too slow — never a hang (docs/operations.md). Caps the waits of
    # query_timeout_s, graphql_query_timeout_s, max_retry_time_s and audit_timeout_s.
    request_deadline_s: float = Field(default=5.0, gt=0, le=300)
    # The same bound for a credit report (`/v1/reports/…`), which renders a whole dossier to PDF:
    # a party with thousands of records takes seconds of rendering, not of waiting on Neo4j.
    report_deadline_s: float = Field(default=60.0, gt=0, le=600)
    # Seconds one Cypher query of a GraphQL request may run before the server aborts it (the
    # request then answers with the error code query_timeout); interactive reads stay short.
    graphql_query_timeout_s: float = Field(default=5.0, gt=0)
    # Whether a GraphQL answer waits until its audit entry is committed (as the check API always
    # does). Off, the entry is queued before anything is read and committed right after the
    # answer (group commit, milliseconds), which keeps exploration within its latency budget.
    graphql_audit_wait: bool = False
    # Whether the service, at start, completes in the background the propagation of loads a
    # killed process left pending (docs/operations.md). Turn it off where one instance or a
    # scheduled `credit-graph propagate` should do it rather than every instance.
    complete_pending_on_start: bool = True
    # Whether the service, at start, warms Neo4j's plans of the propagation's statements in the
    # background (graph_service/propagation/warmup.py: each run once, rolled back; seconds at
    # 100,000 parties), so that the first propagation after a load does not plan them. Off
    # where a start must put no load on Neo4j at all (the tests turn it off).
    warm_plans_on_start: bool = True
    # Whether that warm-up then reads every party once (their relationships and neighbours,
    # counts only; propagation/touch_parties.cypher), so that Neo4j's page cache holds what the
    # first propagation after a start reads: without it that run waits on the disk (0.3-0.6 s
    # against ~0.25 s, one record at 100,000 parties, issue 15 item 3). Neo4j's work, not the
    # service's: seconds at 100,000 parties, in the background. Only with warm_plans_on_start.
    warm_pages_on_start: bool = True
    # After that warm-up, the service asks Neo4j this often (seconds) when its process started,
    # and warms again after a restart (a restarted Neo4j's caches are empty: the first
    # propagation after it took seconds, issue 15 item 3). One small read each time; 0: off.
    warm_watch_s: float = Field(default=30.0, ge=0)
    # Whether the service makes the day's full propagation run itself once the date passes the
    # stored state's (graph_service/propagation/newday.py): until a run for the new day, a
    # measure that starts on it is not among the stored ones, and today's checks compute from
    # history instead (right, slower). It asks every new_day_poll_s
    # (one small read); of a
    # cluster's processes one runs it (the propagation lease). Off where a full run must not
    # happen in the service's processes (a million parties: docs/scale.md); then schedule
    # `credit-graph propagate` at midnight.
    propagate_new_day: bool = True
    new_day_poll_s: float = Field(default=30.0, gt=0)
    # An incremental propagation (after a load, or completing pending loads) whose scope (the
    # parties to recompute, or those it must read for them) would exceed this share of all
    # parties runs the full computation instead: per party an incremental run costs many
    # times what a full run does (hop look-ups level by level, reads by id), so past a small
    # share of the graph the full run is the faster (issue 15, docs/benchmarks.md). 0 runs
    # every propagation fully; 1 never falls back.
    propagation_full_above: float = Field(default=0.05, ge=0, le=1)
    # Seconds the propagation lease lasts unless renewed (the holder renews it every third of
    # this while it runs). One run at a time across every process and host: a run that began
    # while another ran would write a difference computed from the graph before the other's
    # load and undo its measures. A holder killed with `kill -9` blocks others this long.
    propagation_lease_s: float = Field(default=60.0, gt=0, le=3600)
    # Seconds a run waits for another run's lease before it gives up with a clear error (the
    # loads it would have covered stay pending for the next run). A full run of a million
    # parties takes minutes, so the wait is long by default.
    propagation_lease_wait_s: float = Field(default=1800.0, ge=0)

    # --- Policy (docs/configuration.md) ------------------------------------------------------
    # YAML file of the joint-punishment catalog to run instead of the packaged one
    # (graph_service/policy/catalog.yaml; start from a copy of it). Unset or empty runs the
    # packaged catalog. Read once per process and validated at start: the service and the
    # CLI refuse a bad file with one line naming the file, the key and the fix.
    catalog: Path | None = None

    @field_validator("catalog", mode="before")
    @classmethod
    def _empty_catalog_is_unset(cls, value: object) -> object:
        # `CREDIT_GRAPH_CATALOG=` would otherwise be Path("."), the working directory.
        return None if value == "" else value

    # --- Security: API keys, request limits, audit log, receipts (docs/security.md) -------
    # Seconds a looked-up API key is cached in each process (keeps auth off the database per
    # request); a revoked key is refused by every process at most this long after revocation.
    api_key_cache_s: float = Field(default=2.0, ge=0, le=30)
    # Requests per second each API key may make on average (token-bucket refill, per process).
    rate_limit_per_s: float = Field(default=200.0, gt=0)
    # Requests an API key may make at once above the average (token-bucket size, per process).
    rate_limit_burst: int = Field(default=400, ge=1)
    # Largest request body accepted, in bytes; a larger one is refused with 413.
    max_body_bytes: int = Field(default=1_048_576, ge=1024)
    # Most audit entries the group-commit appender writes in one transaction.
    audit_batch_max: int = Field(default=500, ge=1, le=10_000)
    # Seconds a request waits for its audit entry to be durably written before failing (503).
    audit_timeout_s: float = Field(default=10.0, gt=0)
    # PEM file of the Ed25519 key that signs check receipts; unset means
    # <home>/receipt-ed25519.pem. Created with mode 0600 on first use if missing; every
    # instance of one service must share the same file (receipts name the key by its id).
    receipt_key_file: Path | None = None

    # --- Stop-sharing notices and their webhooks (docs/due-process.md) ----------------------
    # File of the 256-bit key that encrypts webhook secrets in Neo4j (AES-GCM); unset means
    # <home>/notice-secrets.key, created with mode 0600 on first use. Every instance of one
    # service must share it: a secret encrypted by one is decrypted by another to sign.
    notice_key_file: Path | None = None
    # The service's own public base URL (https://credit.example.gov.cn), if it is reached under
    # another name than host:port: a webhook may not point at the service itself.
    public_url: str | None = None
    # Whether this process runs the webhook delivery worker. Several may: a lease in Neo4j
    # lets one deliver at a time (the others wait to take over if it stops renewing).
    notice_delivery: bool = True
    # Seconds between the worker's looks for due deliveries (and lease renewals).
    notice_poll_s: float = Field(default=2.0, gt=0, le=60)
    # Seconds a webhook receiver has to answer one delivery attempt (connect and read).
    notice_timeout_s: float = Field(default=10.0, gt=0, le=120)
    # Seconds the delivery lease lasts unless renewed; another process takes over after it.
    notice_lease_s: float = Field(default=60.0, gt=0, le=3600)
    # Deliveries sent at once by the worker (one slow receiver does not hold up the others).
    notice_concurrency: int = Field(default=4, ge=1, le=64)

    # --- Check snapshot and local audit log (docs/operations.md, issue 14) ----------------
    # Whether today's checks are answered from the host's decision snapshot (a SQLite file
    # every worker reads) instead of a Neo4j read per check. Checks for other dates always
    # compute from the graph's history.
    check_snapshot: bool = True
    # Folder of the decision snapshot's generations; unset means <home>/snapshot. Host-local:
    # every worker process of this host shares it, one of them builds it.
    snapshot_dir: Path | None = None
    # Seconds between two looks for a newer propagation run (one cheap Neo4j read by the
    # worker that builds the snapshot; a local file read by the others). Keeps a committed run
    # visible to checks within 2 s.
    snapshot_poll_s: float = Field(default=0.5, gt=0, le=10)
    # Seconds the service waits at start for a missing or outdated snapshot to be built before
    # it takes traffic anyway (checks for today answer 503 snapshot_unavailable until it is).
    snapshot_start_wait_s: float = Field(default=60.0, ge=0)
    # Whether check entries are made durable in a host-local hash-chained log (SQLite, WAL,
    # synchronous=FULL, group commit) before the answer, and copied to Neo4j by a background
    # mirror, instead of waiting for a Neo4j commit per answer (docs/security.md).
    audit_local: bool = True
    # Folder of the local audit log and the mirror's lock; unset means <home>/audit.
    audit_local_dir: Path | None = None
    # Whether the mirror to Neo4j runs as a process of its own at a lower priority (started
    # by the worker holding the mirror's lock) rather than as a thread of that worker, whose
    # checks it would slow down (docs/security.md).
    audit_mirror_process: bool = True

    # --- Spark propagation engine (`propagate --engine spark`, docs/scale.md) ---------------
    # Spark master URL: local[N] runs inside this process's JVM (needs Java 17 and the
    # `spark` extra); spark://host:7077 or k8s://https://host:6443 run on a cluster.
    spark_master: str = "local[2]"
    # Rounds a fixed point (R3, controller chains, R3 reasons, branch trees, risk) may take
    # before the run fails without writing anything; a real graph needs its longest chain.
    spark_iteration_cap: int = Field(default=200, ge=1)
    # Partitions of Spark's shuffles: small for local[2], a few per core on a cluster.
    spark_partitions: int = Field(default=4, ge=1)
    # Seconds to wait for a spark:// or k8s:// master to accept a connection before giving up.
    spark_connect_timeout_s: float = Field(default=10.0, gt=0, le=300)
    # Seconds a cluster master has to run a first one-task job (executors started) before
    # the run gives up; a Kubernetes cluster starts executor pods within this.
    spark_start_timeout_s: float = Field(default=120.0, gt=0, le=3600)
    # Memory of the Spark driver JVM (local mode: the executors too).
    spark_driver_memory: str = "2g"
    # Folder for the engine's export and measures Parquet; unset means <home>/spark.
    spark_dir: Path | None = None
    # Where today's checks' snapshot comes from: "neo4j" (one worker of the host builds it and
    # keeps it equal to the newest run) or "file" (a stateless replica: it only follows the
    # generation `credit-graph snapshot build --from-parquet` put in snapshot_dir, reads no
    # Neo4j for today's checks; its audit entries wait in the local log; docs/scale.md).
    snapshot_source: Literal["neo4j", "file"] = "neo4j"

    # --- Fault injection (tests only; never set in production) ---------------------------
    # A point of graph_service/faults.py (``measures_batch``, or ``measures_batch:2`` for its
    # second pass) where the process SIGKILLs itself: the crash tests' way of hitting a phase
    # of a load or propagation run deterministically. Unset: no fault.
    fault_kill_at: str | None = None

    @field_validator("fault_kill_at")
    @classmethod
    def _known_fault_point(cls, value: str | None) -> str | None:
        if value is not None:
            faults.parse(value)  # fail at start on a misspelt point, not never fire
        return value

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

    @property
    def effective_receipt_key_file(self) -> Path:
        """The receipt signing key's file: the configured one, else one under ``home``."""
        return self.receipt_key_file or self.home / "receipt-ed25519.pem"

    @property
    def effective_snapshot_dir(self) -> Path:
        """The decision snapshot's folder: the configured one, else one under ``home``."""
        return self.snapshot_dir or self.home / "snapshot"

    @property
    def effective_audit_local_dir(self) -> Path:
        """The local audit log's folder: the configured one, else one under ``home``."""
        return self.audit_local_dir or self.home / "audit"


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The process-wide settings, read once from the environment; a value out of its range
    or of the wrong type is a :class:`ConfigError` naming the variable, not a traceback."""
    try:
        return Settings()
    except ValidationError as exc:
        raise ConfigError("; ".join(_problem(error) for error in exc.errors())) from None


def _problem(error: ErrorDetails) -> str:
    """One setting's problem as its environment variable, what is wrong and the value given.

    >>> _problem({"loc": ("warm_watch_s",), "msg": "Input should be greater than or equal to 0",
    ...           "input": "-1", "type": "greater_than_equal"})
    "CREDIT_GRAPH_WARM_WATCH_S: Input should be greater than or equal to 0 (given '-1')"
    """
    name = "CREDIT_GRAPH_" + "_".join(str(part) for part in error["loc"]).upper()
    return f"{name}: {error['msg']} (given {error['input']!r})"
