"""The synthetic world generator: every registry kind, for demos and benchmarks.

``generate_world(parties, seed, out)`` writes one file per registry kind into ``out`` in the
shared formats (``/work/shared/registries/README.md``): Chinese names, valid identifiers, a
heavy-tailed ownership network with holding chains, cycles and branches, officials, cases, a
few percent listed parties. The same seed always gives byte-identical files.

The world is built in phases, each streaming its rows to the files and keeping only what later
phases need (identifiers, names, who represents which company):

1. persons, government bodies, the company skeleton, officials (``parties``);
2. the ownership plan (``plan``), then names and addresses (``names``);
3. companies with shareholdings, officers and branches (``companies``);
4. cases (``cases``); 5. credit lists (``lists``) and officials' records
   (``officials``); 6. contacts (``contacts``).

About 1,000,000 rows for 100,000 parties, written in well under a minute.
"""

from __future__ import annotations

import random
from pathlib import Path

from graph_service.errors import InvalidInput
from graph_service.synthetic.base import World, districts_for
from graph_service.synthetic.cases import write_cases
from graph_service.synthetic.companies import write_companies
from graph_service.synthetic.contacts import write_contacts
from graph_service.synthetic.data import CITIES
from graph_service.synthetic.lists import write_lists
from graph_service.synthetic.names import name_companies
from graph_service.synthetic.officials import write_official_records
from graph_service.synthetic.parties import (
    government_bodies,
    make_companies,
    make_government,
    make_officials,
    make_persons,
)
from graph_service.synthetic.plan import make_plan
from graph_service.synthetic.sink import COLUMNS, Sink, file_name

__all__ = ["COLUMNS", "MAX_PARTIES", "file_name", "generate_world"]

COMPANY_SHARE = 0.4  # of the parties; persons are the rest
OFFICIAL_SHARE = 0.04  # of the persons
PARTIES_PER_CITY = 5_000  # a bigger world spreads over more cities
MAX_PARTIES = 10_000_000  # beyond this the in-memory id lists stop being frugal


def generate_world(parties: int, seed: int, out: Path) -> dict[str, int]:
    """Writes a world of ``parties`` parties (companies + persons) into folder ``out``.

    Returns the number of data rows written per registry kind. Existing registry files in
    ``out`` are overwritten; other files are left alone.

    >>> import tempfile
    >>> with tempfile.TemporaryDirectory() as folder:
    ...     counts = generate_world(200, seed=1, out=Path(folder))
    >>> counts["companies"] + counts["persons"], len(counts)
    (200, 18)
    """
    _prepare(parties, out)
    world = _world(parties, seed)
    n_companies = max(1, round(parties * COMPANY_SHARE))
    with Sink(out) as sink:
        make_persons(world, parties - n_companies, sink)
        used: set[str] = set()
        make_government(world, _government_count(world, n_companies), used)
        branches = make_companies(world, n_companies - world.n_companies, used)
        make_officials(world, sink)
        plan = make_plan(world, _enterprises(world, set(branches)), branches)
        name_companies(world, plan)
        write_companies(world, plan, sink)
        log = write_cases(world, sink)
        write_lists(world, sink, log, parties)
        write_official_records(world, sink, log)
        write_contacts(world, plan, sink, seed)
        return dict(sink.counts)


def _prepare(parties: int, out: Path) -> None:
    """Checks the arguments and creates ``out``; every failure is one InvalidInput."""
    if not 1 <= parties <= MAX_PARTIES:
        raise InvalidInput(f"--parties must be between 1 and {MAX_PARTIES:,}, got {parties:,}")
    if out.exists() and not out.is_dir():
        raise InvalidInput(f"--out {out} is a file; give a folder (it is created if missing)")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise InvalidInput(f"--out {out}: cannot create the folder ({exc.strerror})") from exc


def _world(parties: int, seed: int) -> World:
    cities = min(len(CITIES), max(1, -(-parties // PARTIES_PER_CITY)))
    # Synthetic data, not secrets: a seeded, reproducible generator is the point.
    world = World(random.Random(seed), districts_for(cities))  # noqa: S311
    n_persons = parties - max(1, round(parties * COMPANY_SHARE))
    world.n_officials = round(n_persons * OFFICIAL_SHARE)
    return world


def _government_count(world: World, n_companies: int) -> int:
    # Agencies and courts are at most a fifth of the companies, so a tiny world still has
    # mostly ordinary companies, but always at least one court.
    return min(len(government_bodies(world)), max(1, n_companies // 5))


def _enterprises(world: World, branches: set[int]) -> list[int]:
    return [
        i
        for i, kind in enumerate(world.company_kinds)
        if kind == "enterprise" and i not in branches
    ]
