"""The statements of ``cypher/load/``, each a function on the graph of :mod:`loaders.bulk_graph`.

One function per ``.cypher`` file, named after it and written to read like it (its comments
say where Neo4j's semantics matter: ``MERGE``, ``ON CREATE``, ``SET +=`` removing nulls, the
order of a statement's clauses). Rows arrive exactly as the loader sends them to Neo4j
(:class:`loaders.write.RowBuilder`), with the same ``$prov``, and in the same parameter
(``$batch.rows``, see :func:`graph_service.db.unsized`).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import Any

from graph_service.db import Row
from loaders.bulk_graph import (
    VOIDING,
    MemoryGraph,
    Node,
    NodeKey,
    Props,
    RelKey,
    Stamp,
    as_date,
    set_map,
    set_prop,
)
from loaders.mapping import all_mappings

Rows = list[dict[str, Any]]
#: The statements that take no rows: a :Load's bookkeeping.
NO_ROWS = frozenset({"load/count_batch", "load/record_load_start", "load/record_load_finish"})


def handlers(g: MemoryGraph) -> dict[str, Callable[..., list[Row]]]:
    """Every load statement the engine runs, by its query name."""
    owned = {
        "load/companies": _Companies(g), "load/persons": _Persons(g), "load/cases": _Cases(g),
        "load/records": _Records(g), "load/record_updates": _RecordUpdates(g),
    }  # fmt: skip
    rels = {
        "load/branches": _Rel(g, "BRANCH_OF", "branch_uscc", "parent_uscc"),
        "load/case_parties": _Rel(g, "PARTY_TO", "party_id", "case_no", end_space="case"),
        "load/case_officials": _Rel(
            g, "HANDLED", "official_id", "case_no", end_space="case", official=True
        ),
        "load/officers": _Rel(g, "OFFICER_OF", "person_id", "company_uscc", disc="role",
                              dates=("since", "until")),
        "load/officials": _Rel(g, "EMPLOYED_AT", "id_number", "agency_uscc", official=True,
                               dates=("since", "until")),
        "load/shareholdings": _Rel(g, "HOLDS_SHARES", "holder_id", "company_uscc",
                                   dates=("since", "until")),
        "load/contacts": _Contacts(g, "HAS_CONTACT", "party_id", "contact_key",
                                   end_space="contact", dates=("reported_on",)),
    }  # fmt: skip
    kinds: dict[str, _Owned] = {**owned, **rels}
    found: dict[str, Callable[..., list[Row]]] = dict(kinds)
    # The probe of each kind is the one its mapping names (loaders/mappings/*.yaml).
    for mapping in all_mappings().values():
        if mapping.probe is not None:
            found[mapping.probe] = kinds[mapping.query].probe
    found.update(
        {
            "load/ensure_companies": lambda rows, prov: _ensure_party(g, rows, prov, "company"),
            "load/ensure_persons": lambda rows, prov: _ensure_party(g, rows, prov, "person"),
            "load/ensure_cases": lambda rows, prov: _ensure_case(g, rows, prov),
            "load/link_pending_updates": lambda rows, prov: _link_pending_updates(g, rows, prov),
            "load/apply_record_updates": lambda rows, prov: _apply_record_updates(g, rows),
            "load/link_shared_contacts": lambda rows, prov: _link_shared_contacts(g, rows, prov),
            "load/link_interventions": lambda rows, prov: _link_interventions(g, rows, prov),
            "load/push_node_history": lambda rows: _push_history(rows),
            "load/push_rel_history": lambda rows: _push_history(rows),
            "load/count_batch": lambda load_id, detached: _count_batch(g, load_id, detached),
            "load/record_load_start": lambda load_id, props, batches: _load_start(
                g, load_id, props, batches
            ),
            "load/record_load_finish": lambda load_id, props: _load_finish(g, load_id, props),
        }
    )
    return {name: run if name in NO_ROWS else _from_batch(run) for name, run in found.items()}


def _from_batch(handler: Callable[..., list[Row]]) -> Callable[..., list[Row]]:
    """The handler called as its statement is: with the rows in ``$batch.rows``."""

    def run(batch: dict[str, Any], **params: Any) -> list[Row]:
        return handler(batch["rows"], **params)

    return run


def _prov(prov: dict[str, Any]) -> dict[str, Any]:
    """``$prov`` with its time as Neo4j returns it (see :class:`Stamp`)."""
    return {**prov, "loaded_at": Stamp.of(prov["loaded_at"])}


# --- the statements that upsert what a row owns -------------------------------------------


class _Owned:
    """What every kind query shares: the outcome by ``row_hash``, the SET, the result record.

    Subclasses say which entity a row owns (:meth:`entity`) and what else a changed row
    writes (:meth:`after_set`).
    """

    dates: tuple[str, ...] = ()

    def __init__(self, g: MemoryGraph) -> None:
        self.g = g

    def entity(self, row: dict[str, Any], create: bool) -> tuple[Props, Any] | None:
        """The properties of the row's entity and its handle, MERGEd when ``create`` (None:
        a MATCH found nothing)."""
        raise NotImplementedError

    def after_set(self, row: dict[str, Any], handle: Any, prov: dict[str, Any]) -> None:
        """What a created or updated row writes besides its own properties."""

    def __call__(self, rows: Rows, prov: dict[str, Any]) -> list[Row]:
        prov = _prov(prov)
        counts = {"created": 0, "updated": 0, "unchanged": 0}
        changed: list[int] = []
        history: list[dict[str, Any]] = []
        pending: list[int] = []
        detached: list[str] = []
        for row in rows:
            found = self.entity(row, create=True)
            if found is None:
                continue  # MATCH of an end found nothing: the row yields no outcome
            props, handle = found
            old_hash = props.get("row_hash")
            old = dict(props) if old_hash is not None and old_hash != row["row_hash"] else None
            outcome = "created" if old_hash is None else "unchanged" if old is None else "updated"
            counts[outcome] += 1
            if outcome == "updated":
                detached += self.linked_before(handle)
            if outcome != "unchanged":
                self._set(props, row, prov)
                self.after_set(row, handle, prov)
                changed.append(row["line"])
                if self.update_pending(row):
                    pending.append(row["line"])
            if outcome == "updated" or (outcome == "created" and row.get("held")):
                history.append({"line": row["line"], "eid": props, "old": old})
        result = {**counts, "changed": changed, "history": history}
        if self.reports_pending:  # as its statement returns it (load/records.cypher)
            result["updates_pending"] = pending
        if self.reports_detached:  # load/companies.cypher, load/records.cypher
            result["detached"] = detached
        return [result]

    #: Whether the statement returns ``detached``: the parties an updated entity was linked
    #: to before its links were derived anew (:meth:`linked_before`).
    reports_detached = False

    def linked_before(self, handle: Any) -> list[str]:
        """The parties linked to an updated entity before :meth:`after_set` (its COLLECT)."""
        return []

    #: Whether the statement returns ``updates_pending`` (the engine then runs the update
    #: helpers on those rows only).
    reports_pending = False

    def update_pending(self, row: dict[str, Any]) -> bool:
        """Whether some :RecordUpdate refers to the changed row's entity."""
        return False

    def _set(self, props: Props, row: dict[str, Any], prov: dict[str, Any]) -> None:
        set_map(props, row["props"])
        set_map(props, prov)
        props["src_row"], props["row_hash"] = row["line"], row["row_hash"]
        for name in self.dates:
            set_prop(props, name, as_date(row.get(name)))

    def probe(self, rows: Rows) -> list[Row]:
        """``load/probe_<kind>``: the lines whose entity is held with the same row_hash."""
        unchanged = []
        for row in rows:
            found = self.entity(row, create=False)
            if found is not None and found[0].get("row_hash") == row["row_hash"]:
                unchanged.append(row["line"])
        return [{"unchanged": list(dict.fromkeys(unchanged))}]


class _Party(_Owned):
    """companies / persons: MERGE (p:Party {party_id}) ON CREATE SET the label, kind, id."""

    label, kind, key = "Company", "company", "uscc"

    def entity(self, row: dict[str, Any], create: bool) -> tuple[Props, Any] | None:
        key: NodeKey = ("party", row[self.key])
        if not create:
            node = self.g.nodes.get(key)
            return (node.props, node) if node else None
        node, created = self.g.merge_node(key, ["Party"], "party_id")
        if created:
            node.label(self.label)
            node.props.update({"kind": self.kind, self.key: row[self.key]})
        return node.props, node

    def after_set(self, row: dict[str, Any], handle: Any, prov: dict[str, Any]) -> None:
        handle.props.pop("known_only_from", None)  # REMOVE p.known_only_from


class _Companies(_Party):
    dates = ("established_on", "deregistered_on")
    reports_detached = True

    def linked_before(self, handle: Any) -> list[str]:
        """COLLECT { MATCH (was:Party)-[:LEGAL_REP_OF]->(c) RETURN was.party_id }."""
        company: NodeKey = ("party", handle.props["party_id"])
        return [key[1][1] for key in self.g.linked("legal_rep", company)]

    def after_set(self, row: dict[str, Any], handle: Any, prov: dict[str, Any]) -> None:
        super().after_set(row, handle, prov)
        company: NodeKey = ("party", row["uscc"])
        self.g.delete_rels(self.g.linked("legal_rep", company))  # stale LEGAL_REP_OF
        rep: NodeKey = ("party", row["props"].get("legal_rep_id") or "")
        if rep in self.g.nodes:
            rel, _ = self.g.merge_rel("LEGAL_REP_OF", rep, company)
            set_map(rel, prov)
            rel["src_row"] = row["line"]


class _Persons(_Party):
    label, kind, key = "Person", "person", "id_number"
    dates = ("birth_date",)


class _Cases(_Owned):
    dates = ("filed_on", "closed_on")

    def entity(self, row: dict[str, Any], create: bool) -> tuple[Props, Any] | None:
        key: NodeKey = ("case", row["case_no"])
        if not create:
            node = self.g.nodes.get(key)
            return (node.props, node) if node else None
        node, _ = self.g.merge_node(key, ["Case"], "case_no")
        return node.props, node

    def after_set(self, row: dict[str, Any], handle: Any, prov: dict[str, Any]) -> None:
        handle.props.pop("known_only_from", None)
        case: NodeKey = ("case", row["case_no"])
        self.g.delete_rels(self.g.linked("heard_by", case))
        court: NodeKey = ("party", row["props"].get("court_uscc") or "")
        if court in self.g.nodes:
            rel, _ = self.g.merge_rel("HEARD_BY", case, court)
            set_map(rel, prov)
            rel["src_row"] = row["line"]


class _Records(_Owned):
    dates = ("start", "end")
    reports_pending = True
    reports_detached = True

    def linked_before(self, handle: Any) -> list[str]:
        """COLLECT { MATCH (was:Party)-[:HAS_RECORD|NAMED_IN]->(r) RETURN was.party_id }."""
        record: NodeKey = ("record", handle.props["record_key"])
        links = self.g.linked("record_links", record)
        return [key[1][1] for key in links if key[0] in ("HAS_RECORD", "NAMED_IN")]

    def update_pending(self, row: dict[str, Any]) -> bool:
        """EXISTS { (:RecordUpdate {record_ref: row.ref}) }."""
        return bool(self.g.indexed("update_ref", row["ref"]))

    def entity(self, row: dict[str, Any], create: bool) -> tuple[Props, Any] | None:
        key: NodeKey = ("record", row["record_key"])
        if not create:
            node = self.g.nodes.get(key)
            return (node.props, node) if node else None
        node, created = self.g.merge_node(key, ["Record"], "record_key")
        if created:
            self.g.index("record_ref", row["ref"], key)
        return node.props, node

    def after_set(self, row: dict[str, Any], handle: Any, prov: dict[str, Any]) -> None:
        handle.props["status"] = handle.props.get("status") or "active"
        record: NodeKey = ("record", row["record_key"])
        self.g.delete_rels(self.g.linked("record_links", record))
        subject: NodeKey = ("party", row["subject_id"])
        if subject not in self.g.nodes:
            return  # MATCH (s:Party …) found nothing: the rest of the subquery does not run
        self._link("HAS_RECORD", subject, record, None, row, prov)
        for named in row["named"]:
            person: NodeKey = ("party", named["id"])
            if person in self.g.nodes:
                self._link("NAMED_IN", person, record, ("role", named["role"]), row, prov)
        case: NodeKey = ("case", row["concerns_case"] or "")
        if row["concerns_case"] is not None and case in self.g.nodes:
            self._link("CONCERNS_CASE", record, case, None, row, prov)

    def _link(
        self,
        rel_type: str,
        start: NodeKey,
        end: NodeKey,
        disc: tuple[str, Any] | None,
        row: dict[str, Any],
        prov: dict[str, Any],
    ) -> None:
        rel, _ = self.g.merge_rel(rel_type, start, end, disc)
        set_map(rel, prov)
        rel["src_row"] = row["line"]


class _RecordUpdates(_Owned):
    dates = ("effective_on",)

    def entity(self, row: dict[str, Any], create: bool) -> tuple[Props, Any] | None:
        update_key = f"{row['record_ref']}|{row['status']}|{row['effective_on']}"
        key: NodeKey = ("update", update_key)
        if not create:
            node = self.g.nodes.get(key)
            return (node.props, node) if node else None
        node, created = self.g.merge_node(key, ["RecordUpdate"], "update_key")
        if created:
            self.g.index("update_ref", row["record_ref"], key)
        return node.props, node


class _Rel(_Owned):
    """The kinds whose row owns a relationship between two existing nodes (both MATCHed)."""

    def __init__(
        self,
        g: MemoryGraph,
        rel_type: str,
        start_field: str,
        end_field: str,
        *,
        end_space: str = "party",
        disc: str | None = None,
        official: bool = False,
        dates: tuple[str, ...] = (),
    ) -> None:
        super().__init__(g)
        self.rel_type, self.start_field, self.end_field = rel_type, start_field, end_field
        self.end_space, self.disc, self.official, self.dates = end_space, disc, official, dates

    def ends(self, row: dict[str, Any]) -> tuple[NodeKey, NodeKey] | None:
        """Both ends, or None when one is not in the graph."""
        start: NodeKey = ("party", row[self.start_field])
        end: NodeKey = (self.end_space, row[self.end_field])
        return (start, end) if start in self.g.nodes and end in self.g.nodes else None

    def entity(self, row: dict[str, Any], create: bool) -> tuple[Props, Any] | None:
        ends = self.ends(row)
        if ends is None:
            return None
        disc = (self.disc, row[self.disc]) if self.disc else None
        if not create:
            key: RelKey = (self.rel_type, *ends, disc[1] if disc else None)
            props = self.g.rels.get(key)
            return (props, None) if props is not None else None
        props, _ = self.g.merge_rel(self.rel_type, *ends, disc)
        return props, ends[0]

    def after_set(self, row: dict[str, Any], handle: Any, prov: dict[str, Any]) -> None:
        if self.official:
            self.g.nodes[handle].label("Official")  # SET o:Official


class _Contacts(_Rel):
    """load/contacts: MERGE the shared :Contact (ON CREATE: its kind, value, provenance)."""

    def ends(self, row: dict[str, Any]) -> tuple[NodeKey, NodeKey] | None:
        party: NodeKey = ("party", row["party_id"])
        if party not in self.g.nodes:
            return None
        return party, ("contact", row["contact_key"])

    def entity(self, row: dict[str, Any], create: bool) -> tuple[Props, Any] | None:
        if create and ("party", row["party_id"]) in self.g.nodes:
            node, created = self.g.merge_node(("contact", row["contact_key"]), ["Contact"],
                                              "contact_key")  # fmt: skip
            if created:
                node.props.update(kind=row["props"]["kind"], value=row["props"]["value"])
                set_map(node.props, self._prov)
                node.props["src_row"] = row["line"]
        elif ("contact", row["contact_key"]) not in self.g.nodes:
            return None
        return super().entity(row, create)

    def __call__(self, rows: Rows, prov: dict[str, Any]) -> list[Row]:
        self._prov = _prov(prov)
        return super().__call__(rows, prov)


# --- references, derived links, history, load records ---------------------------------


def _ensure_party(g: MemoryGraph, rows: Rows, prov: dict[str, Any], kind: str) -> list[Row]:
    """load/ensure_companies, load/ensure_persons."""
    prov, created = _prov(prov), 0
    label, id_prop = ("Company", "uscc") if kind == "company" else ("Person", "id_number")
    for row in rows:
        node, new = g.merge_node(("party", row["id"]), ["Party"], "party_id")
        p = node.props
        if new:  # ON CREATE SET
            node.label(label)
            p.update(kind=kind)
            p[id_prop] = row["id"]
            set_prop(p, "name", row["name"])
            p["known_only_from"] = prov["src_kind"]
            set_map(p, prov)
            p["src_row"] = row["line"]
        if p.get("name") is None and row["name"] is not None and "known_only_from" in p:
            p["name"] = row["name"]
            set_map(p, prov)
            p["src_row"] = row["line"]
        created += _counted_created(p, row, prov)
    return [{"created": created}]


def _ensure_case(g: MemoryGraph, rows: Rows, prov: dict[str, Any]) -> list[Row]:
    """load/ensure_cases."""
    prov, created = _prov(prov), 0
    for row in rows:
        node, new = g.merge_node(("case", row["id"]), ["Case"], "case_no")
        if new:
            node.props["known_only_from"] = prov["src_kind"]
            set_map(node.props, prov)
            node.props["src_row"] = row["line"]
        created += _counted_created(node.props, row, prov)
    return [{"created": created}]


def _counted_created(p: Props, row: dict[str, Any], prov: dict[str, Any]) -> int:
    """The ensure statements' count: the node carries this row's load, line and mark."""
    return int(
        p.get("load_id") == prov["load_id"]
        and p.get("src_row") == row["line"]
        and p.get("known_only_from") == prov["src_kind"]
    )


def _link_pending_updates(g: MemoryGraph, rows: Rows, prov: dict[str, Any]) -> list[Row]:
    """load/link_pending_updates: HAS_UPDATE between records and updates sharing a ref."""
    prov = _prov(prov)
    lines: dict[str, int] = {}
    for row in rows:  # WITH coalesce(row.ref, row.record_ref) AS ref, min(row.line) AS line
        ref = row.get("ref") or row.get("record_ref")
        if ref is not None:
            lines[ref] = min(lines.get(ref, row["line"]), row["line"])
    for ref, line in lines.items():
        for update in g.indexed("update_ref", ref):
            for record in g.indexed("record_ref", ref):
                rel, created = g.merge_rel("HAS_UPDATE", record, update)
                if created:
                    set_map(rel, prov)
                    rel["src_row"] = line
    return []


def _apply_record_updates(g: MemoryGraph, rows: Rows) -> list[Row]:
    """load/apply_record_updates: a record's status and voided_on from all its updates."""
    refs = dict.fromkeys(r.get("ref") or r.get("record_ref") for r in rows)
    for ref in refs:
        for record in g.indexed("record_ref", ref) if ref is not None else []:
            updates = [g.nodes[rel[2]].props for rel in g.linked("updates", record)]
            if updates:
                _apply_updates(g.nodes[record], updates)
    return []


def _apply_updates(record: Node, updates: list[Props]) -> None:
    updates.sort(key=lambda u: (u["effective_on"], u["update_key"]))
    latest = updates[-1]
    voiding = [u["effective_on"] for u in updates if u.get("status") in VOIDING]
    voided_on = voiding[0] if voiding else None
    status = latest.get("status") or "active"
    r = record.props
    if r.get("status") == status and r.get("voided_on") == voided_on:
        return
    set_prop(r, "status", status)
    set_prop(r, "voided_on", voided_on)
    for name in ("src_kind", "src_file", "src_row", "load_id", "loaded_at"):
        set_prop(r, name, latest.get(name))


def _link_shared_contacts(g: MemoryGraph, rows: Rows, prov: dict[str, Any]) -> list[Row]:
    """load/link_shared_contacts: SHARES_CONTACT between every two parties of a contact."""
    prov = _prov(prov)
    lines: dict[str, int] = {}
    for row in rows:
        key = row["contact_key"]
        lines[key] = min(lines.get(key, row["line"]), row["line"])
    for key, line in lines.items():
        parties = sorted({rel[1] for rel in g.linked("contact", ("contact", key))})
        for i, a in enumerate(parties):
            for b in parties[i + 1 :]:
                rel, created = g.merge_rel("SHARES_CONTACT", a, b, ("via", key))
                if created:
                    rel["inferred"] = True
                    set_map(rel, prov)
                    rel["src_row"] = line
    return []


def _link_interventions(g: MemoryGraph, rows: Rows, prov: dict[str, Any]) -> list[Row]:
    """load/link_interventions: (official)-[:INTERVENED_IN {record_no}]->(case)."""
    prov = _prov(prov)
    for row in rows:
        props = row["props"]
        official: NodeKey = ("party", props["official_id"])
        case: NodeKey = ("case", props["case_no"])
        if official not in g.nodes or case not in g.nodes:
            continue
        g.nodes[official].label("Official")
        g.delete_rels(g.linked("intervened", ("disc", props["record_no"])))
        rel, _ = g.merge_rel("INTERVENED_IN", official, case, ("record_no", props["record_no"]))
        set_prop(rel, "kind", props["category"])
        set_prop(rel, "occurred_on", as_date(row.get("start")))
        set_map(rel, prov)
        rel["src_row"] = row["line"]
    return []


def _push_history(rows: Rows) -> list[Row]:
    """load/push_node_history, load/push_rel_history: the "element id" is the props dict."""
    for row in rows:
        props: Props = row["eid"]
        props["history"] = [*props.get("history", []), *row["entries"]]
    return []


def _count_batch(g: MemoryGraph, load_id: str, detached: list[str]) -> list[Row]:
    load = g.nodes[("load", load_id)].props
    load["committed_batches"] += 1
    if detached:  # SET l.detached = coalesce(l.detached, []) + [the new ones]
        held = load.get("detached") or []
        load["detached"] = held + [id_ for id_ in detached if id_ not in held]
    return []


def _load_start(g: MemoryGraph, load_id: str, props: dict[str, Any], batches: int) -> list[Row]:
    node, _ = g.merge_node(("load", load_id), ["Load"], "load_id")
    node.props.update(status="started", committed_batches=batches)
    set_map(node.props, _stamped(props))  # may say how it ended (a file of one batch)
    return [{"load_id": load_id}]


def _load_finish(g: MemoryGraph, load_id: str, props: dict[str, Any]) -> list[Row]:
    node = g.nodes.get(("load", load_id))
    if node is not None:
        set_map(node.props, _stamped(props))
    return [{"load_id": load_id}] if node else []


def _stamped(props: dict[str, Any]) -> dict[str, Any]:
    return {k: Stamp.of(v) if isinstance(v, datetime) else v for k, v in props.items()}
