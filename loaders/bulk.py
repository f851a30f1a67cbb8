"""``credit-graph import``, the loader's half: a folder of registry files → importer CSV files.

The files go through the loader engine exactly as ``load-dir`` sends them (same plan, reading,
validation, rejects, duplicates and supersession, provenance, history, ``:Load`` records and
summaries: :func:`loaders.engine.load_directory`), onto a graph held in memory
(:mod:`loaders.bulk_graph`) instead of Neo4j; that graph is then written as the CSV files of
Neo4j's offline importer (:mod:`loaders.bulk_csv`). Running the importer, bringing the schema
online and the propagation are the CLI's (graph_service/cli/import_cmd.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from loaders.bulk_csv import CsvSet, write_csv
from loaders.bulk_graph import MemoryGraph
from loaders.bulk_store import SpillMap
from loaders.engine import LoadOptions, load_directory
from loaders.summary import Summary
from loaders.write import Ensured

#: The graph's file while the files are read (loaders/bulk_store.py), in the CSV folder.
SPILL_FILE = ".graph.sqlite"


class SpilledEnsured(Ensured):
    """The engine's references known to exist (:class:`loaders.write.Ensured`, one entry per
    party and case: ~350 MiB at 10M rows in a dict), kept in the graph's spill file."""

    def __init__(self, known: SpillMap[tuple[str, str], bool]) -> None:
        super().__init__()
        # Its values are plain booleans, set and never changed in place: safe to write out
        # whenever the graph's memory is.
        self._known = known  # type: ignore[assignment]  # the dict operations Ensured uses


@dataclass
class Prepared:
    """A folder made ready for the importer."""

    summaries: list[Summary]
    csv: CsvSet
    seconds: dict[str, float] = field(default_factory=dict)  # per phase: load, csv

    @property
    def rows(self) -> int:
        """Rows read from the registry files."""
        return sum(s.read for s in self.summaries)

    @property
    def failed(self) -> bool:
        """True when a file was refused or failed: the import must not go on."""
        return any(s.status in ("refused", "failed") for s in self.summaries)


def prepare(settings: Any, folder: Path, out: Path, options: LoadOptions) -> Prepared:
    """Loads ``folder`` into a graph in memory and writes it as importer CSV into ``out``.

    ``settings`` are the command's :class:`~graph_service.settings.Settings` (batch size, the
    entries held in memory). The graph beyond those lives in ``out/SPILL_FILE``, removed once
    the CSV files are written (or the pass failed).
    """
    began = time.monotonic()
    out.mkdir(parents=True, exist_ok=True)
    spill = out / SPILL_FILE
    spill.unlink(missing_ok=True)  # a run killed before left it behind
    graph = MemoryGraph(settings, spill)
    try:
        ensured = SpilledEnsured(graph.store.map("ensured"))
        summaries = load_directory(graph, folder, replace(options, ensured=ensured))
        loaded = time.monotonic()
        files = write_csv(graph, out)
    finally:
        graph.close()
        spill.unlink(missing_ok=True)
    done = time.monotonic()
    return Prepared(summaries, files, {"load": loaded - began, "csv": done - loaded})
