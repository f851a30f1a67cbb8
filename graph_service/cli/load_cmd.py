"""``credit-graph load | load-dir | loads``: batch loads of registry files, and their history.

The commands only parse options, show progress and print summaries; the work is the loader
engine's (:mod:`loaders.engine`). A progress bar is drawn only when stdout is a terminal, so
scripts and ``--json`` get clean output.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import replace
from pathlib import Path
from typing import Annotated, Any

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from graph_service import migrations
from graph_service.cli import contradictions_cmd, whatif_cmd
from graph_service.cli.common import database, echo_json
from graph_service.db import Database
from graph_service.errors import InvalidInput
from graph_service.propagation import runner
from loaders.engine import LoadOptions, ProgressEvent, list_loads, load_directory, load_file
from loaders.summary import Summary

BatchSize = Annotated[int | None, typer.Option("--batch-size", min=1, help="Rows per transaction.")]
DryRun = Annotated[
    bool,
    typer.Option("--dry-run", help="Read and validate only; write rejects, nothing to the graph."),
]
Json = Annotated[bool, typer.Option("--json", help="Print the summary as JSON.")]
WhatIf = Annotated[
    bool,
    typer.Option(
        "--what-if",
        help="Load inside a transaction that is rolled back and print which parties would gain"
        " or lose which measures (with rule, record and path); nothing is written to the"
        " graph, rejects go where a load puts them.",
    ),
]
Encoding = Annotated[
    str | None,
    typer.Option(
        "--encoding",
        help="The files' encoding, utf-8 or gb18030 (gbk, gb2312), when detection cannot tell"
        " (a file refused as ambiguous says so). Default: detected.",
    ),
]
Propagate = Annotated[
    bool,
    typer.Option(
        "--propagate/--no-propagate",
        help="Recompute the measures of the parties the load, and any load still pending,"
        " touched (incremental). Without, the load stays pending.",
    ),
]


def register(app: typer.Typer) -> None:
    """Adds the load commands to the top-level CLI."""
    app.command("load")(load)
    app.command("load-dir")(load_dir)
    app.command("loads")(loads)


def load(
    kind: Annotated[str, typer.Argument(help="Registry kind, e.g. companies, shareholdings.")],
    path: Annotated[Path, typer.Argument(help="The file: .csv, .jsonl, optionally .gz.")],
    reject_file: Annotated[
        Path | None,
        typer.Option(help="Where rejected rows go (default ./<name>.rejects.csv)."),
    ] = None,
    dry_run: DryRun = False,
    batch_size: BatchSize = None,
    json_output: Json = False,
    propagate: Propagate = True,
    encoding: Encoding = None,
    what_if: WhatIf = False,
) -> None:
    """Load one registry file; print rows read, loaded, rejected and duplicates."""
    if what_if:
        opts = LoadOptions(reject_file, None, False, batch_size, None, encoding)
        one = lambda view, o: [load_file(view, kind, path, o)]  # noqa: E731 - one use, here
        _what_if(json_output, dry_run, opts, one, single=True)
        return
    with _progress(json_output) as hook, _maybe_database(dry_run) as db:
        options = LoadOptions(reject_file, None, dry_run, batch_size, hook, encoding)
        summary = load_file(db, kind, path, options)
        if db is not None:
            _propagate(db, [summary], enabled=propagate)
            contradictions_cmd.after_loads(db, [summary])
    _print([summary], json_output, single=True)


def load_dir(
    folder: Annotated[Path, typer.Argument(help="A folder of registry files.")],
    reject_dir: Annotated[
        Path | None,
        typer.Option(help="Where reject files go (default: the current folder)."),
    ] = None,
    dry_run: DryRun = False,
    batch_size: BatchSize = None,
    json_output: Json = False,
    propagate: Propagate = True,
    encoding: Encoding = None,
    what_if: WhatIf = False,
) -> None:
    """Load every registry file of a folder; kinds are told by file name, loaded in order."""
    if what_if:
        opts = LoadOptions(None, reject_dir, False, batch_size, None, encoding)
        every = lambda view, o: load_directory(view, folder, o)  # noqa: E731 - one use, here
        _what_if(json_output, dry_run, opts, every, single=False)
        return
    with _progress(json_output) as hook, _maybe_database(dry_run) as db:
        options = LoadOptions(None, reject_dir, dry_run, batch_size, hook, encoding)
        summaries = load_directory(db, folder, options)
        if db is not None:
            _propagate(db, summaries, enabled=propagate)
            contradictions_cmd.after_loads(db, summaries)
    _print(summaries, json_output, single=False)
    if any(s.status in ("refused", "failed") for s in summaries):
        raise typer.Exit(1)


def loads(
    limit: Annotated[int, typer.Option(min=1, help="How many loads to list.")] = 20,
    kind: Annotated[str | None, typer.Option(help="Only loads of this kind.")] = None,
    json_output: Json = False,
) -> None:
    """List past loads, newest first, with their summaries."""
    with database() as db:
        found = list_loads(db, limit=limit, kind=kind)
    if json_output:
        echo_json(found)
        return
    if not found:
        typer.echo("no loads recorded")
    for entry in found:
        typer.echo(_load_line(entry))


# --- helpers --------------------------------------------------------------------------------


def _what_if(
    json_output: bool,
    dry_run: bool,
    options: LoadOptions,
    loads: Callable[[Database, LoadOptions], list[Summary]],
    *,
    single: bool,
) -> None:
    """The loads on a rolled-back view, and what they would change (cli/whatif_cmd.py)."""
    if dry_run:
        raise InvalidInput("--what-if and --dry-run exclude each other: a what-if validates too")
    with _progress(json_output) as hook:
        with_hook = replace(options, progress=hook)
        whatif_cmd.run(lambda view: loads(view, with_hook), format_summary,
                       json_output=json_output, single=single)  # fmt: skip


def _propagate(db: Database, summaries: list[Summary], *, enabled: bool) -> None:
    """The incremental propagation after loads that changed something, which also completes
    every load still pending from earlier (told on stderr, so that ``--json`` output stays
    one document)."""
    pending = runner.pending_loads(db)
    ours = {s.load_id for s in summaries if s.load_id}
    earlier = [load for load in pending if load.load_id not in ours]
    if not enabled:
        if pending:
            typer.echo(f"propagation: not run (--no-propagate); {len(pending)} loads pending"
                       " until the next load or `credit-graph propagate`", err=True)  # fmt: skip
        return
    load_ids = [s.load_id for s in summaries if s.load_id and (s.created or s.updated)]
    if not load_ids and not pending:
        return
    if earlier:
        files = ", ".join(sorted({load.file for load in earlier}))
        typer.echo(f"propagation: completing the propagation of {len(earlier)} earlier"
                   f" loads still pending ({files})", err=True)  # fmt: skip
    result = runner.after_loads(db, load_ids, loads=pending)
    typer.echo(
        f"propagation: {result.parties} parties recomputed, +{result.gained} -{result.lost}"
        f" ~{result.changed} measures ({result.seconds:.2f}s)",
        err=True,
    )


@contextmanager
def _maybe_database(dry_run: bool) -> Iterator[Database | None]:
    """The database, checked to be at the current schema; none for a dry run."""
    if dry_run:
        yield None
        return
    with database() as db:
        migrations.require_current(db)
        yield db


@contextmanager
def _progress(json_output: bool) -> Iterator[Callable[[ProgressEvent], None] | None]:
    """A rich progress bar fed by the engine's events, only on a terminal."""
    if json_output or not sys.stdout.isatty():
        with nullcontext():
            yield None
        return
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TimeRemainingColumn(),
    )
    with Progress(*columns, transient=True) as bar:
        yield _ProgressBars(bar)


class _ProgressBars:
    """One bar per file and phase (reading bytes, then loading rows)."""

    def __init__(self, bar: Progress) -> None:
        self._bar = bar
        self._tasks: dict[tuple[str, str], TaskID] = {}

    def __call__(self, event: ProgressEvent) -> None:
        key = (event.file, event.phase)
        if key not in self._tasks:
            verb = "reading" if event.phase == "read" else "loading"
            self._tasks[key] = self._bar.add_task(f"{verb} {event.file}", total=event.total)
        self._bar.update(self._tasks[key], completed=event.done, total=event.total)


def _print(summaries: list[Summary], json_output: bool, *, single: bool) -> None:
    if json_output:
        data = [s.as_json() for s in summaries]
        echo_json(data[0] if single else data)
        return
    for summary in summaries:
        typer.echo(format_summary(summary))


def format_summary(s: Summary) -> str:
    """The summary of one load as an operator reads it."""
    if s.status in ("skipped", "refused"):
        return f"{s.file}: {s.status}: {s.error}"
    lines = [f"{s.file} ({s.kind}): {s.status}" + (f", load {s.load_id}" if s.load_id else "")]
    if s.dry_run:
        lines.append(f"  read {s.read} = would load {s.loaded} + rejected {s.rejected}"
                     f" + duplicates {s.duplicates}")  # fmt: skip
    else:
        lines.append(
            f"  read {s.read} = loaded {s.loaded} (created {s.created}, updated {s.updated},"
            f" unchanged {s.unchanged}) + rejected {s.rejected} + duplicates {s.duplicates}"
        )
    lines += _details(s)
    lines.append(f"  {s.seconds:.2f} s, {s.rows_per_s:,.0f} rows/s")
    return "\n".join(lines)


def _details(s: Summary) -> list[str]:
    lines = []
    if s.duplicates:
        lines.append(
            f"  duplicates: {s.exact_duplicates} exact (skipped), {s.superseded_count}"
            " superseded by a later row with the same key (kept in its history)"
        )
    lines += [f"    line {x['line']} superseded by line {x['by_line']} (key {x['key']})"
              for x in s.superseded[:10]]  # fmt: skip
    if s.referenced_created:
        lines.append(f"  created from references (known only from {s.kind}):"
                     f" {s.referenced_created}")  # fmt: skip
    if s.unknown_columns:
        lines.append(f"  unknown columns (ignored): {', '.join(s.unknown_columns)}")
    if s.reject_file:
        lines.append(f"  rejected rows: {s.reject_file}")
    if s.contradictions:
        lines.append(f"  contradictions between sources: {s.contradictions}"
                     " (credit-graph contradictions)")  # fmt: skip
    return lines


def _load_line(entry: dict[str, Any]) -> str:
    started = str(entry.get("started_at", ""))[:19].replace("T", " ")
    status = entry.get("status", "?")
    if status == "started":
        status = "unfinished"  # still running, or killed: rerun the same file to complete it
    counts = " ".join(
        f"{k}={entry.get(k, 0)}" for k in ("read", "created", "updated", "unchanged",
                                          "rejected", "duplicates")
    )  # fmt: skip
    line = f"{started}  {entry.get('kind', '?'):<18} {entry.get('file', '?')}  {status}  {counts}"
    if entry.get("propagation") == "pending":
        # Its rows are in the graph, the measures do not reflect them yet: the next load,
        # `credit-graph propagate` or the service's start completes it.
        line += "  propagation pending"
    return line
