"""Pass 2 of a load: the staged rows, in batches, into the graph with the kind's named queries.

A batch may first be *probed* (``mapping.probe``, one read-only, index-backed query): rows
whose entity the graph already holds with the same ``row_hash`` are counted ``unchanged`` and
go no further. A probe that finds little is a wasted round trip, a statement to plan and as
many index look-ups as rows, so the first batch of a file is not probed: the write query
compares ``row_hash`` itself and writes nothing for an unchanged row. Probing starts as soon
as a written batch finds at least half its rows unchanged (the write query counts them; see
``PROBE_WHEN_UNCHANGED``), and stops again while batches bring mostly new or changed rows. A
reload of an unchanged file therefore writes nothing at all: its first batch's transaction
changes nothing (not even the ``:Load``'s batch count, see step 5), the batches after it are
probed. The remaining rows are one managed write transaction (retried whole by the driver on
transient errors):

1. ``load/ensure_companies`` / ``load/ensure_persons`` / ``load/ensure_cases`` create the
   parties and cases the rows refer to and the graph does not hold yet (``known_only_from``);
2. the kind's query (``mapping.query``) MERGEs the entity each row owns. It compares
   ``row_hash`` itself as well (a row may have changed since the probe): an equal one is
   ``unchanged`` and writes nothing; others are ``created`` / ``updated``. The query returns
   one record: the counts, the changed lines, and the old properties of the updated entities;
3. the kind's ``after_batch`` helpers run on the changed rows only (derived links); the
   helpers that join records and their updates only on the rows the write query names in
   ``updates_pending``, when it names them (``load/records``: the records some update refers
   to), and not at all when there are none;
4. earlier values are appended to ``history``: the old properties of updated entities, then
   the file's own superseded rows for the same key;
5. the ``:Load`` counts the batch (``load/count_batch``) when it changed something (an
   entity or a referenced stub created or updated): its rows are pending until a propagation
   run covers them (graph_service/propagation/runner.py); a batch that changed nothing leaves
   nothing pending. The first batch written creates the ``:Load`` itself, already counting
   it (``load/record_load_start`` with ``$batches``: a transaction less per file), and when
   it is also the file's last, with the load's summary (status ``done``: a file of one batch
   is one transaction, like the floor's statement; a second less). The engine records the
   start and the end of a load in transactions of their own only when no batch carried them.
   Both add the parties the batch unlinked (``detached``: the kind's query names them, e.g. a
   company's former legal representative) to the ``:Load``: no ``load_id`` marks them, and
   the propagation after the load must reach them (``propagation/touched_by_loads``).

Because the work function only reads its arguments and every statement is idempotent, a
retried or re-run batch leaves the graph exactly as one clean run does. Batches are probed and
written in file order by one writer thread, so the next batch is prepared while Neo4j works;
a batch is probed only after the previous one committed.

Dates travel as ISO text at the top level of a row and become ``DATE`` values with
``date()`` in Cypher: the Python driver's conversion of ``datetime.date`` was the costliest
part of sending a row.

The rows reach a statement inside a map, ``$batch.rows`` (:func:`graph_service.db.unsized`),
so that Neo4j plans each statement once for batches of every size (a small file would
otherwise pay a fresh plan of its kind's statement and helpers).
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Literal

from graph_service import faults
from graph_service.db import Database, Tx, unsized
from graph_service.identifiers import is_valid_id_number, party_kind
from loaders.mapping import RecordSpec, RegistryMapping, get_mapping
from loaders.stage import DUPLICATE, Staged
from loaders.summary import RejectWriter, Summary
from loaders.validate import Row

#: Seconds one batch transaction may take; loads of big batches need more than API queries.
BATCH_TIMEOUT_S = 300.0
ENSURE_QUERIES = {
    "company": "load/ensure_companies",
    "person": "load/ensure_persons",
    "case": "load/ensure_cases",
}
HISTORY_QUERIES = {"node": "load/push_node_history", "relationship": "load/push_rel_history"}
#: The next batch is probed when at least this share of the last batch was unchanged (the first
#: batch never is): a reload writes nothing, new rows skip a probe that would find nothing.
#: Issue 15 measured the first batch's probe at 0.2-2 s a file on a loaded machine (a cold
#: plan, a round trip and an index look-up per row), most of a small file's extra cost.
PROBE_WHEN_UNCHANGED = 0.5
#: The kinds whose rows own the nodes that references point to: (node space, key field). Once
#: a batch of them committed, those ids need no ensuring by the files loaded after them.
OWNED_REFERENCES = {
    "companies": ("party", "uscc"),
    "persons": ("party", "id_number"),
    "cases": ("case", "case_no"),
}
#: After-batch helpers that only concern records some :RecordUpdate refers to: when the write
#: query returns ``updates_pending`` (load/records), they run on those rows alone, and are
#: skipped when there are none (most batches of new records: two statements saved each).
UPDATE_HELPERS = frozenset({"load/link_pending_updates", "load/apply_record_updates"})
#: Properties of an entity that are bookkeeping, not values worth keeping in its history.
NOT_HISTORY = frozenset({"history", "row_hash"})

BatchFn = Callable[[int, int], None]  # (staged rows done, staged rows in all)


Entry = tuple[int, str, int, int, str, Row]


@dataclass(frozen=True)
class Provenance:
    """Where the rows of one load come from; every entity written carries it."""

    src_kind: str
    src_file: str
    load_id: str
    loaded_at: datetime

    def params(self) -> dict[str, Any]:
        """The ``$prov`` map of the load queries (``src_row`` is set per row)."""
        return {
            "src_kind": self.src_kind,
            "src_file": self.src_file,
            "load_id": self.load_id,
            "loaded_at": self.loaded_at,
        }

    def as_json(self, line: int) -> dict[str, Any]:
        """The provenance of one row, as a history entry records it."""
        return {**self.params(), "loaded_at": self.loaded_at.isoformat(), "src_row": line}


class RowBuilder:
    """Turns a clean row into the map a load query receives as one element of ``$rows``.

    Layout: ``line``, ``row_hash``; ``props`` (the owned entity's non-date properties); the
    date properties as ISO text; the key fields, which the query matches on; for records also
    ``record_key``, ``ref``, ``subject_id``, ``named`` and ``concerns_case``.
    """

    def __init__(self, mapping: RegistryMapping) -> None:
        self.mapping = mapping
        record = mapping.record
        dates = {f.name for f in mapping.fields if f.type == "date"}
        # A record's dates are its start and end (docs/model.md); the registry's own date
        # columns are not repeated under their names.
        self._props = [p for p in mapping.props if not (record and p in dates)]
        self._dates = {"start", "end"} if record else dates & set(mapping.props)
        # Queries match on key fields only (other values travel in `props`, or are only used
        # to create referenced parties): sending less is the cheapest speed-up there is.
        self._top = list(mapping.key)
        # A referenced party's kind, as party_kind() tells it, without checking again what
        # validation checked: an id_number field holds a person's; a USCC is a company's
        # unless it is all digits and also a valid ID number (party_kind's rule).
        types = {f.name: f.type for f in mapping.fields}
        kinds = {"uscc": _uscc_kind, "id_number": _person_kind}
        self._parties = [
            (party.id, party.name, kinds.get(types[party.id], party_kind))
            for party in mapping.parties
        ]

    def props(self, row: Row) -> dict[str, Any]:
        """The properties of the entity the row owns, dates included (ISO text)."""
        r = self.mapping.record
        if r is None:
            return {p: row[p] for p in self._props}
        props = {r.rename.get(p, p): row[p] for p in self._props}
        ref = "|".join(str(row[f]) for f in r.ref)
        props.update(
            record_key=f"{r.kind}:{ref}",
            kind=r.kind,
            ref=ref,
            subject_id=row[r.subject],
            start=row[r.start],
            end=row[r.end] if r.end else None,
            authority=row[r.authority] if r.authority else None,
        )
        return props

    def key(self, row: Row) -> str:
        """The row's natural key as text, as summaries name it."""
        return "|".join(str(row.get(k)) for k in self.mapping.key)

    def build(self, row: Row, line: int, content_hash: str, held: bool) -> dict[str, Any]:
        """The query row (see the class docstring); ``held``: the file had earlier versions."""
        props = self.props(row)
        out: dict[str, Any] = {f: row.get(f) for f in self._top}
        for name in self._dates:
            out[name] = props.pop(name)
        out.update(line=line, row_hash=content_hash, props=props)
        if held:
            out["held"] = True
        if self.mapping.record:
            out.update(_record_links(self.mapping.record, row, props))
        return out

    def references(self, row: Row, line: int) -> list[tuple[str, dict[str, Any]]]:
        """The parties and cases the row refers to: (company|person|case, ensure row)."""
        refs: list[tuple[str, dict[str, Any]]] = []
        for id_field, name_field, kind_of in self._parties:
            code = row.get(id_field)
            if not isinstance(code, str):
                continue
            kind = kind_of(code)
            if kind:
                name = row.get(name_field) if name_field else None
                refs.append((kind, {"id": code, "name": name, "line": line}))
        for case_field in self.mapping.cases:
            if row.get(case_field):
                refs.append(("case", {"id": row[case_field], "name": None, "line": line}))
        return refs


def _person_kind(code: str) -> Literal["company", "person"] | None:
    return "person"


def _uscc_kind(code: str) -> Literal["company", "person"] | None:
    return "person" if code.isdigit() and is_valid_id_number(code) else "company"


def _record_links(r: RecordSpec, row: Row, props: dict[str, Any]) -> dict[str, Any]:
    """What load/records needs besides the properties: the record's key and its links."""
    return {
        "record_key": props["record_key"],
        "ref": props["ref"],
        "subject_id": props["subject_id"],
        "concerns_case": row.get(r.case) if r.case else None,
        "named": [{"id": row[f], "role": role} for f, role in r.named if row.get(f)],
    }


@dataclass
class _Pending:
    """A row to write, with the history entries of the file's earlier rows for its key."""

    row: dict[str, Any]
    refs: list[tuple[str, dict[str, Any]]]
    held: list[str]


class Decider:
    """Decides each staged row: rejected (failed group), duplicate, superseded, or to write.

    Pure bookkeeping (counts into the summary, rejects to the reject file), shared by real
    loads and dry runs. A superseded row's values are held until the row that wins its key
    is written, and then go to that entity's history.
    """

    def __init__(
        self, staged: Staged, rejects: RejectWriter, summary: Summary, prov: Provenance
    ) -> None:
        self.staged = staged
        self.rejects = rejects
        self.summary = summary
        self.prov = prov
        self.builder = RowBuilder(get_mapping(summary.kind))
        self._held: dict[int, list[str]] = {}

    def decide(self, entry: Entry) -> _Pending | None:
        """The row to write for this staged entry, or None when it is not written."""
        line, raw, flag, key_hash, content, row = entry
        staged = self.staged
        group = row.get(staged.group_field) if staged.group_field else None
        if group is not None and group in staged.failed_groups:
            self.rejects.write(line, staged.failed_groups[group], raw)
            self.summary.rejected += 1
        elif flag == DUPLICATE:
            self.summary.duplicates += 1
            self.summary.exact_duplicates += 1
        elif staged.winners[key_hash] != line:
            self._hold(line, key_hash, row)
        else:
            held = self._held.pop(key_hash, [])
            built = self.builder.build(row, line, content, bool(held))
            return _Pending(built, self.builder.references(row, line), held)
        return None

    def _hold(self, line: int, key_hash: int, row: Row) -> None:
        later = self.staged.superseded_by[line]
        self.summary.add_superseded(line, later, self.builder.key(row))
        entry = {**self.builder.props(row), **self.prov.as_json(line), "superseded_by_row": later}
        self._held.setdefault(key_hash, []).append(_json(entry))


class Ensured:
    """The parties and cases known to exist, in this process, for the loads that share it.

    ``load_directory`` shares one between its files: the parties that the companies and
    persons files wrote (and every reference ensured since) are not ensured again by the
    files after them, which saves an index look-up and a lock per reference — most of the
    cost a relationship file pays beyond its own rows. Keyed by node space (a company and a
    person share ``Party.party_id``) and id; the value says whether it has a name: a stub
    without one is sent again when a row brings a name. Nodes are never deleted by a load,
    and ids are added only after their batch committed (batches commit in order).
    """

    def __init__(self) -> None:
        self._known: dict[tuple[str, str], bool] = {}

    def fresh(self, kind: str, ref: dict[str, Any]) -> bool:
        """Whether ``ref`` (an ensure row of ``kind``) must be sent."""
        seen = self._known.get(_space(kind, ref))
        return seen is None or (ref["name"] is not None and not seen)

    def sent(self, refs: dict[str, list[dict[str, Any]]]) -> None:
        """Notes the references of a committed batch."""
        for kind, rows in refs.items():
            for ref in rows:
                key = _space(kind, ref)
                self._known[key] = self._known.get(key, False) or ref["name"] is not None

    def owned(self, space: str, ids: list[str]) -> None:
        """Notes nodes written by their own registry rows (never stubs: nothing to fill in)."""
        for node_id in ids:
            self._known[(space, node_id)] = True


def _space(kind: str, ref: dict[str, Any]) -> tuple[str, str]:
    return ("case" if kind == "case" else "party", str(ref["id"]))


@dataclass(frozen=True)
class Outcome:
    """What one committed batch did."""

    created: int
    updated: int
    unchanged: int
    referenced_created: int


@dataclass(frozen=True)
class LoadRecord:
    """The ``:Load`` node of a file, written in its first batch's transaction (see the module
    doc): its start properties, and the properties of the load done when that batch is the
    file's last, from that batch's outcome (pure: the transaction may be retried)."""

    start: dict[str, Any]
    done: Callable[[Outcome], dict[str, Any]]


class BatchLoader:
    """Writes the staged rows of one file in batches; counts outcomes into the summary."""

    def __init__(
        self,
        db: Database,
        mapping: RegistryMapping,
        prov: Provenance,
        batch_size: int,
        ensured: Ensured | None = None,
        record: LoadRecord | None = None,
    ) -> None:
        self.db = db
        self.mapping = mapping
        self.prov = prov
        self.batch_size = batch_size
        # The :Load to create with the first batch written (None: it exists already); once a
        # batch committed it, ``started`` (and ``finished``, if that batch also ended the file).
        self._record = record
        self.started = record is None
        self.finished = False
        self._history_query = HISTORY_QUERIES[mapping.owns]
        # Set by the writer thread when a batch fails, so that a batch already queued behind
        # it is not written: batches commit strictly in order or not at all.
        self._failed = False
        # Whether the next batch is probed (writer thread only; see PROBE_WHEN_UNCHANGED): not
        # the first, which the write query sorts into unchanged and changed rows itself.
        self._probing = False
        # References ensured, or written as owned nodes, by an earlier batch of this load or of
        # the loads sharing ``ensured``: they exist (batches commit in order, or the load stops),
        # so they are not sent again unless they now bring a name a stub may lack.
        self._ensured = ensured or Ensured()
        self._owns = OWNED_REFERENCES.get(mapping.kind)
        # What a probe needs of a row: its key (records: their record_key) and content hash.
        self._probe_fields = ("line", "row_hash", *mapping.key)
        if mapping.record:
            self._probe_fields += ("record_key",)

    def load(self, decider: Decider, on_batch: BatchFn | None) -> None:
        """Writes every row the decider keeps, ``batch_size`` rows per transaction.

        One writer thread probes and commits batch k while this thread prepares batch k+1;
        batches are committed strictly in file order, and the first failure stops the load.
        """
        total = decider.staged.read - decider.staged.rejected
        with ThreadPoolExecutor(max_workers=1, thread_name_prefix="load-writer") as writer:
            previous: tuple[Future[Outcome], int] | None = None
            try:
                for batch, done in self._batches(decider):
                    future = writer.submit(self._write, batch, done == total)
                    if previous:
                        self._collect(*previous, decider.summary, on_batch, total)
                    previous = (future, done)
                if previous:
                    self._collect(*previous, decider.summary, on_batch, total)
            except BaseException:
                writer.shutdown(wait=True, cancel_futures=True)
                raise

    def _batches(self, decider: Decider) -> Iterator[tuple[list[_Pending], int]]:
        """Batches of rows to write, each with the number of staged rows decided so far."""
        batch: list[_Pending] = []
        done = 0
        for entry in decider.staged.entries():
            done += 1
            pending = decider.decide(entry)
            if pending is not None:
                batch.append(pending)
            if len(batch) >= self.batch_size:
                yield batch, done
                batch = []
        if batch:
            yield batch, done

    def _collect(
        self,
        future: Future[Outcome],
        done: int,
        summary: Summary,
        on_batch: BatchFn | None,
        total: int,
    ) -> None:
        outcome = future.result()
        counts = {"created": outcome.created, "updated": outcome.updated}
        summary.add_outcomes({**counts, "unchanged": outcome.unchanged})
        summary.referenced_created += outcome.referenced_created
        if on_batch:
            on_batch(done, total)

    def _new_refs(self, batch: list[_Pending]) -> dict[str, list[dict[str, Any]]]:
        """The batch's references not yet ensured by this load (see ``_ensured``)."""
        fresh: dict[str, list[dict[str, Any]]] = {}
        for kind, refs in _unique_refs(batch).items():
            for ref in refs:
                if self._ensured.fresh(kind, ref):
                    fresh.setdefault(kind, []).append(ref)
        return fresh

    def _note_owned(self, batch: list[_Pending]) -> None:
        """After a batch committed (or was found unchanged): the nodes its rows own exist."""
        if self._owns is not None:
            space, key = self._owns
            self._ensured.owned(space, [str(p.row[key]) for p in batch])

    def _write(self, batch: list[_Pending], last: bool) -> Outcome:
        """Probes, then writes, one batch (in the writer thread, batches in file order);
        ``last``: no row of the file comes after it.

        The probe runs after the previous batch committed, so it sees everything this load
        wrote before; rows it finds unchanged are not sent to the write transaction at all,
        and neither are their references (they were ensured when the row was written).
        """
        if self._failed:
            raise RuntimeError("an earlier batch of this load failed")
        try:
            unchanged = self._unchanged(batch) if self._probing else set()
            todo = [p for p in batch if p.row["line"] not in unchanged] if unchanged else batch
            if not todo:
                self._note_owned(batch)
                return Outcome(0, 0, len(batch), 0)
            refs = self._new_refs(todo)
            skipped = len(batch) - len(todo)
            record = None if self.started else self._record
            ends = record is not None and last and skipped == 0
            written = self.db.write_tx(
                lambda tx: self._work(tx, todo, refs, record, ends), timeout_s=BATCH_TIMEOUT_S
            )
            self.started, self.finished = True, self.finished or ends
            faults.checkpoint(self.db.settings, "load_batch")
            self._ensured.sent(refs)
            self._note_owned(batch)
            outcome = Outcome(
                written.created, written.updated, written.unchanged + skipped,
                written.referenced_created,
            )  # fmt: skip
            self._probing = self.mapping.probe is not None and (
                outcome.unchanged >= PROBE_WHEN_UNCHANGED * len(batch)
            )
            return outcome
        except BaseException:
            self._failed = True
            raise

    def _unchanged(self, batch: list[_Pending]) -> set[int]:
        """Lines of the batch whose entity the graph holds with the same ``row_hash``."""
        if self.mapping.probe is None:
            return set()
        keys = self._probe_fields
        rows = [{k: p.row.get(k) for k in keys} for p in batch]
        probe = self.mapping.probe
        (result,) = self.db.read(probe, timeout_s=BATCH_TIMEOUT_S, **unsized(rows=rows))
        return set(result["unchanged"])

    def _work(
        self,
        tx: Tx,
        batch: list[_Pending],
        refs: dict[str, list[dict[str, Any]]],
        record: LoadRecord | None,
        ends: bool,
    ) -> Outcome:
        """One batch, inside one transaction; reads only its arguments (safe to retry).
        ``record``: the :Load to create with it, with the load's end when ``ends``."""
        prov = self.prov.params()
        created_refs = 0
        for kind, rows in refs.items():
            ensure = ENSURE_QUERIES[kind]
            created_refs += int(tx.run(ensure, **unsized(rows=rows), prov=prov)[0]["created"])
        query = self.mapping.query
        (result,) = tx.run(query, **unsized(rows=[p.row for p in batch]), prov=prov)
        by_line = {p.row["line"]: p for p in batch}
        changed = [by_line[line].row for line in result["changed"]]
        pending = result.get("updates_pending")
        for_updates = changed if pending is None else [by_line[line].row for line in pending]
        for helper in self.mapping.after_batch:
            rows = for_updates if helper in UPDATE_HELPERS else changed
            if rows:
                tx.run(helper, **unsized(rows=rows), prov=prov)
        history = _history_rows(result["history"], by_line)
        if history:
            tx.run(self._history_query, **unsized(rows=history))
        outcome = Outcome(result["created"], result["updated"], result["unchanged"],
                          referenced_created=created_refs)  # fmt: skip
        # Durable with the rows or not at all: what tells the propagation they are pending. A
        # batch that changed nothing (an unchanged reload's first batch) leaves nothing pending.
        changed_any = bool(outcome.created or outcome.updated or created_refs)
        # The parties the batch unlinked (a company's former representative, a record's former
        # subject): no load_id marks them, so the :Load keeps them for the propagation.
        detached = sorted(set(result.get("detached") or ()))
        if record is not None:
            props = {**record.start, **record.done(outcome)} if ends else record.start
            if detached:
                props = {**props, "detached": detached}
            tx.run("load/record_load_start", load_id=self.prov.load_id, props=props,
                   batches=int(changed_any))  # fmt: skip
        elif changed_any:
            tx.run("load/count_batch", load_id=self.prov.load_id, detached=detached)
        return outcome


def _unique_refs(batch: list[_Pending]) -> dict[str, list[dict[str, Any]]]:
    """The batch's references per kind, each id once: its first row with a name, if any."""
    seen: dict[str, dict[str, dict[str, Any]]] = {}
    for pending in batch:
        for kind, ref in pending.refs:
            known = seen.setdefault(kind, {}).setdefault(ref["id"], ref)
            if known["name"] is None and ref["name"] is not None:
                seen[kind][ref["id"]] = ref
    return {kind: list(refs.values()) for kind, refs in seen.items()}


def _history_rows(touched: list[dict[str, Any]], by_line: dict[int, _Pending]) -> list[Any]:
    """History to append per changed entity: its old values, then the file's earlier rows."""
    rows = []
    for item in touched:
        old = item.get("old")
        entries = [_json({k: v for k, v in old.items() if k not in NOT_HISTORY})] if old else []
        entries += by_line[item["line"]].held
        if entries:
            rows.append({"eid": item["eid"], "entries": entries})
    return rows


def _json(value: dict[str, Any]) -> str:
    """One history entry: sorted keys, Chinese kept readable, dates as ISO text."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
