"""``credit-graph import DIR``: a folder of registry files into an empty graph, through Neo4j's
offline importer (``neo4j-admin database import full``).

1. The graph must be empty (schema bookkeeping aside): one line names ``db reset`` otherwise.
2. The files go through the loader engine as with ``load-dir`` onto a graph in memory, which is
   written as importer CSV (:mod:`loaders.bulk`): same validation, rejects, summaries.
3. The importer writes a new store into a staging home beside the live one
   (``<home>/import/stage``); Neo4j keeps serving the old store meanwhile.
4. The graph is checked empty again (Neo4j served it meanwhile: anything written since the
   first check would be lost by the swap, so the import is refused then), and Neo4j is
   stopped; the staging store is started on its own, on a free loopback port of its own
   (never the live port: no client of the live port sees the half-finished store), the
   schema migrations bring constraints and indexes online, a full propagation and the
   contradictions refresh run, and it is stopped again.
5. Only then the two data folders are swapped by two renames (the old one is kept until the
   new one is in place; an interrupted swap is undone by the next ``import``), and Neo4j is
   started again (the import starts it at the beginning if it was not running: it leaves it
   running, on the new store or, after a failure, the old one).

A kill or failure before step 5 leaves the old store exactly as it was (the staging files are
cleared by the next run); the importer is killed with this process (``PR_SET_PDEATHSIG``).
``--csv-only OUT`` stops after step 2 and leaves the CSV files and the importer's arguments
for a Neo4j server of one's own (docs/import.md).
"""

from __future__ import annotations

import ctypes
import errno
import hashlib
import resource
import shutil
import signal
import socket
import subprocess
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Annotated, Any

import typer

from graph_service import embedded, faults, migrations
from graph_service.cli import contradictions_cmd
from graph_service.cli.common import echo_json, settings
from graph_service.cli.load_cmd import _progress, format_summary
from graph_service.db import Database
from graph_service.errors import EmbeddedNeo4jError, InvalidInput, LoadRefused
from graph_service.policy.catalog import catalog_in_force
from graph_service.propagation import runner
from graph_service.settings import Settings
from loaders.bulk import Prepared, prepare
from loaders.engine import LoadOptions


class ImportRefused(LoadRefused):
    """The graph is not empty, or the import cannot run here."""

    code = "import_refused"


#: Seconds the import waits for the staged JVM's exit after the restart (then kills it).
STAGE_EXIT_S = 60.0


class ImportFailed(EmbeddedNeo4jError):
    """The importer or the staged store failed; the old store is untouched."""

    code = "import_failed"


def register(app: typer.Typer) -> None:
    """Adds ``import`` to the top-level CLI."""
    app.command("import")(import_dir)


def import_dir(
    folder: Annotated[Path, typer.Argument(help="A folder of registry files.")],
    reject_dir: Annotated[
        Path | None, typer.Option(help="Where reject files go (default: the current folder).")
    ] = None,
    batch_size: Annotated[
        int | None,
        typer.Option("--batch-size", min=1, help="Rows per batch, as load-dir counts them."),
    ] = None,
    json_output: Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")] = False,
    encoding: Annotated[
        str | None, typer.Option("--encoding", help="The files' encoding, as for load-dir.")
    ] = None,
    csv_only: Annotated[
        Path | None,
        typer.Option(
            "--csv-only",
            help="Write the importer's CSV files into this folder and stop: for a Neo4j server"
            " of your own (docs/import.md). Nothing is written to any graph.",
        ),
    ] = None,
) -> None:
    """Import a folder of registry files into an EMPTY graph with Neo4j's offline importer."""
    cfg = settings()
    catalog_in_force(cfg)
    with _progress(json_output) as hook:
        options = LoadOptions(None, reject_dir, False, batch_size, hook, encoding)
        if csv_only is not None:
            report = _csv_only(cfg, folder, csv_only, options)
        else:
            report = Importer(cfg).run(folder, options)
    _print(report, json_output)
    if report.prepared.failed:
        raise typer.Exit(1)


@dataclass
class Report:
    """What an import did, for the summary and ``--json``."""

    prepared: Prepared
    seconds: dict[str, float] = field(default_factory=dict)  # per phase
    propagation: dict[str, Any] | None = None
    csv_folder: Path | None = None
    importer_command: list[str] = field(default_factory=list)
    #: The importer JVM's peak RSS (MiB): the children's peak just after it ended (no other
    #: child of this process has ended before it, bar a first build of the importer's jars).
    importer_rss_mib: float | None = None
    #: This process's peak RSS (MiB) when the CSV files were written: the files' pass alone,
    #: before the propagation's graph (peak_rss_mib.cli is the whole run's).
    files_rss_mib: float | None = None

    def as_json(self) -> dict[str, Any]:
        """The files' summaries (as ``load-dir --json``) and the import's own figures."""
        total = sum(self.seconds.values())
        rows = self.prepared.rows
        return {
            "files": [s.as_json() for s in self.prepared.summaries],
            "import": {
                "rows": rows,
                "nodes": self.prepared.csv.node_count,
                "relationships": self.prepared.csv.relationship_count,
                "seconds": round(total, 3),
                "rows_per_s": round(rows / total, 1) if total > 0 else 0.0,
                "phases": {k: round(v, 3) for k, v in self.seconds.items()},
                "propagation": self.propagation,
                "csv_folder": str(self.csv_folder) if self.csv_folder else None,
                "importer_command": self.importer_command or None,
                "peak_rss_mib": self.peak_rss(),
            },
        }

    def peak_rss(self) -> dict[str, float | None]:
        """The peaks of this process (``cli``; ``cli_files`` when the files were written),
        of the largest child that ended and of the importer's JVM, in MiB."""
        return {**_peak_rss(), "cli_files": self.files_rss_mib, "importer": self.importer_rss_mib}


def _csv_only(cfg: Settings, folder: Path, out: Path, options: LoadOptions) -> Report:
    if out.exists() and any(out.iterdir()):
        raise InvalidInput(f"{out} is not empty: --csv-only writes into a new or empty folder")
    began = time.monotonic()
    prepared = _prepare(cfg, folder, out, options)
    report = Report(prepared, {"load_and_csv": time.monotonic() - began}, csv_folder=out,
                    files_rss_mib=_peak_rss()["cli"])  # fmt: skip
    report.importer_command = ["neo4j-admin", "database", "import", "full",
                               *prepared.csv.importer_args(), cfg.neo4j_database]  # fmt: skip
    # The options only, one a line: the database name is the caller's (docs/import.md).
    (out / "import-args.txt").write_text("\n".join(report.importer_command[4:-1]) + "\n")
    return report


def _prepare(cfg: Settings, folder: Path, out: Path, options: LoadOptions) -> Prepared:
    try:
        return prepare(cfg, folder, out, options)
    except OSError as exc:
        if exc.errno == errno.ENOSPC:
            raise ImportFailed(
                f"no space left on the disk while writing the import files into {out};"
                " nothing was imported and the graph is unchanged: free space and run it again"
            ) from None
        raise


class Importer:
    """The steps of an import into the embedded store (see the module docstring)."""

    def __init__(self, cfg: Settings) -> None:
        if not cfg.uses_embedded:
            raise ImportRefused(
                "credit-graph import writes the embedded Neo4j's store; for a Neo4j server of"
                " your own use `credit-graph import --csv-only DIR OUT` and neo4j-admin"
                " (docs/import.md)"
            )
        self.cfg = cfg
        home = cfg.home.resolve()
        self.live = home / "neo4j"
        self.work = home / "import"
        self.csv = self.work / "csv"
        self.previous = self.work / "previous"
        self.stage = cfg.model_copy(update={"home": self.work / "stage"})
        self.staged = self.work / "stage" / "neo4j"

    def run(self, folder: Path, options: LoadOptions) -> Report:
        """The whole import; raises with the old store in place when a step fails."""
        seconds: dict[str, float] = {}
        self._timed(seconds, "check", self.check)
        _say("reading and validating the files (as load-dir), writing the importer's CSV")
        shutil.rmtree(self.csv, ignore_errors=True)
        prepare_csv = lambda: _prepare(self.cfg, folder, self.csv, options)  # noqa: E731
        prepared: Prepared = self._timed(seconds, "load_and_csv", prepare_csv)
        report = Report(prepared, seconds, files_rss_mib=_peak_rss()["cli"])
        _say(f"neo4j-admin database import full (heap {self.cfg.import_heap}, off-heap"
             f" {self.cfg.import_max_off_heap}) into {self.staged}")  # fmt: skip
        self._timed(seconds, "importer", lambda: self.write_store(prepared))
        report.importer_rss_mib = _peak_rss()["largest_child"]
        _say("schema, indexes, full propagation and contradictions on the new store")
        self.check_again()
        # Its databases closed (~0.5 s), the live JVM finishes exiting beside the staged start.
        embedded.close_store(self.cfg)
        try:
            report.propagation = self.finish(prepared, seconds)
            self._timed(seconds, "swap", self.swap)
        finally:
            # The new store, or the old one after a failure; first the exits of the JVMs
            # whose stores were closed (long over for the old live one).
            self._timed(seconds, "neo4j_start", self.restart)
        shutil.rmtree(self.csv, ignore_errors=True)
        _say("the new store is in place")
        return report

    def check(self) -> None:
        """Undoes an interrupted import, refuses a non-empty graph: a running Neo4j is asked,
        a stopped one started first, unless there is no store yet (a new home: empty)."""
        self.recover()
        if embedded.status(self.cfg).running or self.live.exists():
            embedded.start(self.cfg)
            self.require_empty()

    def check_again(self) -> None:
        """Just before the staged store starts: nothing may have been written meanwhile."""
        if embedded.status(self.cfg).running or self.live.exists():
            embedded.start(self.cfg)
            self.require_empty(since_check=True)

    def restart(self) -> None:
        """Neo4j on the live store, once the JVMs stopped before have exited."""
        embedded.stop(self.cfg)
        embedded.start(self.cfg)
        self.reap_stage()

    def reap_stage(self) -> None:
        """Waits for the staged JVM's exit (its store closed and renamed already). One that
        does not exit in time is killed and named in one line on stderr: Neo4j serves the
        live store by now, so a slow exit must not make a finished import fail."""
        try:
            embedded.stop(self.stage, timeout_s=STAGE_EXIT_S)
        except EmbeddedNeo4jError as exc:
            _say(f"warning: the staged Neo4j was slow to exit: {exc}")

    def recover(self) -> None:
        """Undoes what an interrupted import left: a half-done swap, a staging server."""
        if not self.live.exists() and self.previous.exists():
            self.previous.rename(self.live)  # killed between the two renames: the old store
        embedded.stop(self.stage)  # a staging Neo4j left running by a killed import
        for leftover in (self.previous, self.work / "stage", self.csv):
            shutil.rmtree(leftover, ignore_errors=True)

    def require_empty(self, since_check: bool = False) -> None:
        """Refuses a graph holding anything but the schema's bookkeeping; ``since_check``: the
        second check, just before the swap's stop, which also discards the staged store."""
        with Database(self.cfg) as db:
            found = db.read("bulk/any_data")[0]["nodes"]
        if found and since_check:
            for leftover in (self.work / "stage", self.csv):
                shutil.rmtree(leftover, ignore_errors=True)
            raise ImportRefused(
                "the graph was written to while the import ran (it was empty when the import"
                " began): the import would have discarded that, so nothing was imported and the"
                " graph is unchanged; empty it with `credit-graph db reset --yes` and import again,"
                " or load with `load-dir`"
            )
        if found:
            raise ImportRefused(
                "the graph is not empty: credit-graph import only fills an empty graph;"
                " empty it with `credit-graph db reset --yes` or load with `load-dir`"
            )

    def write_store(self, prepared: Prepared) -> None:
        """Runs ``neo4j-admin database import full`` into the staging home."""
        lib = import_tool(self.cfg)
        conf = self.work / "conf"
        conf.mkdir(parents=True, exist_ok=True)
        (conf / "neo4j.conf").write_text("dbms.usage_report.enabled=false\n")
        self.staged.mkdir(parents=True, exist_ok=True)
        command = [
            self.cfg.java, f"-Xmx{self.cfg.import_heap}", "-XX:+ExitOnOutOfMemoryError",
            "-cp", f"{lib}/*", "org.neo4j.cli.AdminTool", "database", "import", "full",
            *prepared.csv.importer_args(), "--bad-tolerance=0",
            f"--max-off-heap-memory={self.cfg.import_max_off_heap}",
            f"--report-file={self.work / 'import.report'}", self.cfg.neo4j_database,
        ]  # fmt: skip
        env = {"NEO4J_HOME": str(self.staged), "NEO4J_CONF": str(conf), "PATH": "/usr/bin:/bin"}
        log = self.work / "importer.log"
        with log.open("wb") as out:
            done = subprocess.run(  # noqa: S603 - our own command line, no shell
                command, stdout=out, stderr=subprocess.STDOUT, env=env,
                preexec_fn=_die_with_parent, check=False,
            )  # fmt: skip
        if done.returncode != 0:
            text = log.read_text(errors="replace")
            if "No space left on device" in text:
                raise ImportFailed(
                    f"no space left on the disk while the importer wrote the new store into"
                    f" {self.staged}; the graph is unchanged: free space and run it again"
                )
            raise ImportFailed(
                f"the Neo4j importer failed (exit {done.returncode}); the graph is unchanged;"
                f" its output: {log}: {_tail(text)}"
            )

    def finish(self, prepared: Prepared, seconds: dict[str, float]) -> dict[str, Any]:
        """Schema, indexes, full propagation and contradictions on the staged store (which
        also puts the contradictions' count into the summaries, as after load-dir); returns
        once the staged store is closed (its JVM exits in the background, see restart)."""
        # A port of its own: on the live one, clients would see the half-finished store, and a
        # staged server left by a kill -9 would keep the port from `neo4j start`.
        stage = self.stage.model_copy(update={"embedded_port": _free_port()})
        self._timed(seconds, "stage_start", lambda: embedded.start(stage))
        faults.checkpoint(self.cfg, "import_finish")
        try:
            with Database(stage) as db:
                self._timed(seconds, "schema", lambda: self.schema(db, prepared))
                work = lambda: self.propagate(stage, db, prepared)  # noqa: E731 - one use
                result: dict[str, Any] = self._timed(seconds, "propagation", work)
        except BaseException:
            embedded.stop(self.stage)
            raise
        self._timed(seconds, "stage_close", lambda: embedded.close_store(self.stage))
        return result

    @staticmethod
    def schema(db: Database, prepared: Prepared) -> None:
        """Every constraint and index online (the migrations), and the lists the importer
        could not write."""
        migrations.migrate(db)
        empty = prepared.csv.empty_lists.items()
        rows = [{"load_id": load_id, "props": props} for load_id, props in empty]
        db.write("bulk/set_load_props", rows=rows)

    @staticmethod
    def propagate(stage: Settings, db: Database, prepared: Prepared) -> dict[str, Any]:
        """The full propagation and, beside it, the contradictions refresh: the contradictions
        read the loaded facts and write only :Contradiction nodes, which the propagation
        neither reads nor writes."""
        with ThreadPoolExecutor(max_workers=1) as beside:
            contradictions = beside.submit(_contradictions, stage, prepared.summaries)
            result = runner.run_full(db)
            contradictions.result()
        return result.as_json()

    def swap(self) -> None:
        """The staged store becomes the live one: two renames on one file system (one when
        the home had no store yet)."""
        if self.live.exists():
            self.live.rename(self.previous)
        faults.checkpoint(self.cfg, "import_swap")
        self.staged.rename(self.live)
        shutil.rmtree(self.previous, ignore_errors=True)

    @staticmethod
    def _timed(seconds: dict[str, float], name: str, step: Any) -> Any:
        began = time.monotonic()
        try:
            return step()
        finally:
            seconds[name] = time.monotonic() - began


def import_tool(cfg: Settings) -> Path:
    """The importer's jars (``neo4j-embedded/import/pom.xml``), built with Maven once."""
    pom = embedded.launcher_source() / "import" / "pom.xml"
    out = cfg.launcher_dir.resolve() / "import"
    stamp, lib = out / "pom.sha256", out / "lib"
    digest = hashlib.sha256(pom.read_bytes()).hexdigest()
    if lib.is_dir() and stamp.is_file() and stamp.read_text() == digest:
        return lib
    command = [cfg.maven, "-q", "-B", "-f", str(pom), "package", f"-Dimport.out={out}"]
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603
    if done.returncode != 0 or not lib.is_dir():
        raise ImportFailed(f"building the Neo4j importer with Maven failed: {_tail(done.stderr)}")
    stamp.write_text(digest)
    return lib


def _peak_rss() -> dict[str, float]:
    """Peak resident memory so far: this process, and the largest child that ended (the
    importer's JVM or the staged Neo4j), in MiB (Linux counts ru_maxrss in KiB)."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return {"cli": round(own / 1024, 1), "largest_child": round(children / 1024, 1)}


def _contradictions(stage: Settings, summaries: list[Any]) -> None:
    """The contradictions refresh after the loads, on a connection of its own."""
    with Database(stage) as db:
        contradictions_cmd.after_loads(db, summaries)


def _free_port() -> int:
    """A loopback TCP port free at the moment (the kernel's pick), for the staged Neo4j."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _die_with_parent() -> None:
    """In the importer's process: die with SIGKILL when the CLI dies (Linux prctl)."""
    pr_set_pdeathsig = 1
    ctypes.CDLL(None).prctl(pr_set_pdeathsig, signal.SIGKILL)


def _say(message: str) -> None:
    """A step of the import, on stderr (``--json`` keeps stdout one document)."""
    typer.echo(f"import: {message}", err=True)


def _tail(text: str) -> str:
    lines = [line for line in text.strip().splitlines() if line.strip()]
    return " | ".join(lines[-3:])[:500] or "no output"


def _print(report: Report, json_output: bool) -> None:
    if json_output:
        echo_json(report.as_json())
        return
    for summary in report.prepared.summaries:
        typer.echo(format_summary(summary))
    figures = report.as_json()["import"]
    line = (
        f"import: {figures['rows']:,} rows, {figures['nodes']:,} nodes,"
        f" {figures['relationships']:,} relationships in {figures['seconds']:.1f} s"
        f" ({figures['rows_per_s']:,.0f} rows/s; "
        + ", ".join(f"{k} {v:.1f} s" for k, v in figures["phases"].items())
        + ")"
    )
    typer.echo(line)
    if report.propagation:
        p = report.propagation
        typer.echo(f"propagation: full run, {p['parties']} parties, +{p['gained']} measures")
    if report.csv_folder:
        typer.echo(f"CSV files in {report.csv_folder}; import them with:")
        typer.echo("  " + " ".join(report.importer_command))
