"""DataLoaders: every field of every object in one response is read with few Cypher queries.

Resolvers never query per object: they ask a loader for a key and the loader, once the event
loop has collected every key of the current step of execution, runs one named query for all
of them (``UNWIND $ids``). A page of 50 parties with their measures costs one query for the
measures, whatever the page size.

Lists (records, shareholders, cases …) and per-party analyses (control chains) go through
:attr:`Loaders.keyed`: a key names the query, the owner and the arguments; keys with the same
query and arguments share one query.

Measures as of a date are not stored: :attr:`Loaders.measures_on` collects the (party, date)
keys of a step and computes each date once for all its parties (the propagation reads the
parties and what their measures depend on, so one computation for a page costs about as much
as one for a single party).
"""

from __future__ import annotations

import asyncio
from collections import defaultdict
from collections.abc import Awaitable, Callable, Hashable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from functools import cached_property, partial
from typing import Any

from strawberry.dataloader import DataLoader

from graph_service.analysis.explain import Measure

Row = dict[str, Any]
Reader = Callable[..., Awaitable[list[Row]]]
#: Computes the measures of some parties on a date: party id → its measures (absent: none).
Computer = Callable[[list[str], date], Awaitable[Mapping[str, list[Measure]]]]


@dataclass(frozen=True)
class ListKey:
    """One page of one owner's list: query name, owner key and the query's other parameters."""

    query: str
    owner: str
    params: tuple[tuple[str, Hashable], ...]

    @classmethod
    def of(cls, query: str, owner: str, **params: Hashable) -> ListKey:
        """A key whose parameters are given as keywords (lists must be passed as tuples)."""
        return cls(query, owner, tuple(sorted(params.items())))


@dataclass(frozen=True)
class ListPage:
    """A page of items and the length of the whole list."""

    total: int
    items: list[Row]


class Loaders:
    """The DataLoaders of one request.

    A loader's batch function never refers to the :class:`Loaders` holding it (a closure or
    a ``partial`` over the reader, not a bound method): the request's loaders, with the rows
    they hold, are then freed when it ends, not by the cyclic collector (gql/cycles.py).
    """

    def __init__(self, read: Reader, compute: Computer) -> None:
        self._read = read
        self._compute = compute

    # Each loader is made when first asked for: most requests use two or three of them, and a
    # request's fixed cost is what the workbench's ratios are made of.
    @cached_property
    def party(self) -> DataLoader[str, Row | None]:
        """Parties by id (``party/by_id``)."""
        return DataLoader(load_fn=self._rows("party/by_id"))

    @cached_property
    def case(self) -> DataLoader[str, Row | None]:
        """Cases by number, with their courts (``case/by_nos``)."""
        return DataLoader(load_fn=self._rows("case/by_nos"))

    @cached_property
    def record(self) -> DataLoader[str, Row | None]:
        """Records by key (``party/records_by_key``)."""
        return DataLoader(load_fn=self._rows("party/records_by_key"))

    @cached_property
    def measures(self) -> DataLoader[str, Row | None]:
        """A party's stored measures (``party/measures``)."""
        return DataLoader(load_fn=self._rows("party/measures"))

    @cached_property
    def contacts(self) -> DataLoader[str, Row | None]:
        """A party's contact details (``party/contacts``)."""
        return DataLoader(load_fn=self._rows("party/contacts"))

    @cached_property
    def credit(self) -> DataLoader[str, Row | None]:
        """What a party's credit report summarises (``party/credit_summary``)."""
        return DataLoader(load_fn=self._rows("party/credit_summary"))

    @cached_property
    def keyed(self) -> DataLoader[ListKey, Row | None]:
        """Pages of lists and per-party analyses, by :class:`ListKey`."""
        return DataLoader(load_fn=partial(_keyed, self._read))

    @cached_property
    def latest_run(self) -> DataLoader[str, Row | None]:
        """The latest propagation run (key ``"latest"``)."""
        return DataLoader(load_fn=partial(_latest_run, self._read))

    @cached_property
    def measures_on(self) -> DataLoader[tuple[str, date], list[Measure]]:
        """Measures computed as of a date, by (party, date)."""
        return DataLoader(load_fn=partial(_measures_on, self._compute))

    @cached_property
    def objections(self) -> DataLoader[str, str | None]:
        """record_ref → its open objection (None: none): marks measures contested (异议)."""
        return DataLoader(load_fn=partial(_objections, self._read))

    def _rows(self, query: str) -> Callable[[Sequence[str]], Awaitable[list[Row | None]]]:
        """A batch function: one row per id (column ``id``) from ``query``, None if absent."""
        read = self._read  # not self: the loader would refer to its holder

        async def load(ids: Sequence[str]) -> list[Row | None]:
            rows = await read(query, ids=list(ids))
            by_id = {row["id"]: row for row in rows}
            return [by_id.get(i) for i in ids]

        return load

    async def page(self, key: ListKey) -> ListPage:
        """One page of a list: the row of ``key`` (columns ``total`` and ``items``)."""
        row = await self.keyed.load(key)
        return ListPage(row["total"], row["items"]) if row else ListPage(0, [])


async def _keyed(read: Reader, keys: Sequence[ListKey]) -> list[Row | None]:
    """Runs one query per distinct (query, parameters) for all owners of the batch."""
    groups: dict[tuple[str, tuple[tuple[str, Hashable], ...]], list[str]] = defaultdict(list)
    for key in keys:
        groups[(key.query, key.params)].append(key.owner)
    batches = [
        read(query, ids=sorted(set(owners)), **_listed(dict(params)))
        for (query, params), owners in groups.items()
    ]
    found: dict[ListKey, Row] = {}
    for (query, params), rows in zip(groups, await asyncio.gather(*batches), strict=True):
        for row in rows:
            found[ListKey(query, row["id"], params)] = row
    return [found.get(key) for key in keys]


async def _latest_run(read: Reader, keys: Sequence[str]) -> list[Row | None]:
    """The latest propagation run (one key, ``"latest"``, whoever asks)."""
    rows = await read("propagation/last_runs", limit=1)
    return [rows[0]["run"] if rows else None for _ in keys]


async def _objections(read: Reader, refs: Sequence[str]) -> list[str | None]:
    """The open objection of each record reference, in one query for the batch."""
    rows = await read("dueprocess/open_by_record", refs=sorted(set(refs)))
    found = {row["record_ref"]: row["objection_id"] for row in rows}
    return [found.get(ref) for ref in refs]


async def _measures_on(compute: Computer, keys: Sequence[tuple[str, date]]) -> list[list[Measure]]:
    """One computation per distinct date, for every party asked on that date."""
    by_day: dict[date, set[str]] = defaultdict(set)
    for party, day in keys:
        by_day[day].add(party)
    days = sorted(by_day)
    found = await asyncio.gather(*(compute(sorted(by_day[d]), d) for d in days))
    on = dict(zip(days, found, strict=True))
    return [list(on[day].get(party, [])) for party, day in keys]


def _listed(params: dict[str, Hashable]) -> dict[str, Any]:
    """Tuples (hashable in keys) back to lists for the driver."""
    return {k: list(v) if isinstance(v, tuple) else v for k, v in params.items()}
