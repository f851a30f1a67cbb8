"""The graph model, declared once.

Node labels and relationship types are closed enums: Cypher files use exactly these. Every
label has a :class:`NodeSpec` and every relationship type a :class:`RelSpec` saying what the
schema guarantees (keys, uniqueness, indexes) and what the properties mean; the full-text
indexes are :data:`FULLTEXT_INDEXES`. ``tests/test_schema.py`` checks both ways that this
declaration, the migrated schema (``SHOW CONSTRAINTS`` / ``SHOW INDEXES``) and the labels and
types the ``.cypher`` files use agree. ``docs/model.md`` draws the same model.

To add a label or relationship type: add the enum member, its spec below, the Cypher that
writes it and, for a key or index, a new migration; the schema tests say what is missing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class Label(StrEnum):
    """Every node label of the graph."""

    PARTY = "Party"  # any credit subject: a Person or a Company; key party_id
    PERSON = "Person"  # a natural person (自然人); key id_number (= party_id)
    OFFICIAL = "Official"  # extra label on a Person who holds or held public office
    COMPANY = "Company"  # legal person or other organisation, incl. agencies and courts; key uscc
    CASE = "Case"  # court / procuratorial / enforcement case; key case_no
    RECORD = "Record"  # one entry of a source registry; key record_key, kind per registry
    RECORD_UPDATE = "RecordUpdate"  # a status change of a record (repair, revocation, …)
    CONTACT = "Contact"  # a normalised phone, e-mail or address; key contact_key
    LOAD = "Load"  # one run of a loader over one file; key load_id
    SCHEMA_MIGRATION = "SchemaMigration"  # one applied schema migration; key version
    MEASURE = "Measure"  # a joint-punishment measure a party is under; key measure_key
    MEASURE_CHANGE = "MeasureChange"  # a measure gained, lost or changed by a run; key change_id
    PROPAGATION_RUN = "PropagationRun"  # one propagation run and its counts; key run_id
    PROPAGATION_LEASE = "PropagationLease"  # held while a propagation run runs; key name
    API_KEY = "ApiKey"  # an API key (its hash, never the key); key key_id
    AUDIT_ENTRY = "AuditEntry"  # one entry of the hash-chained audit log; key seq
    AUDIT_HEAD = "AuditHead"  # the audit log's newest seq and hash; the append lock
    CHECK = "Check"  # a sanction check as answered; key check_id
    CHECK_FEEDBACK = "CheckFeedback"  # which returned measures an agency applied
    SUBSCRIPTION = "Subscription"  # a webhook an API key registered for notices
    NOTICE = "Notice"  # a stop-sharing notice to one API key (due process §4)
    DELIVERY = "Delivery"  # a notice's delivery to one subscription, with its attempts
    NOTICE_MARK = "NoticeMark"  # the notice maker's cursor and the delivery lease; key name
    CONTRADICTION = "Contradiction"  # sources that contradict (§7); key contradiction_id
    REPAIR_APPLICATION = "RepairApplication"  # a repair application (信用修复); key repair_id
    OBJECTION = "Objection"  # an objection to a record (异议); key objection_id


class RelType(StrEnum):
    """Every relationship type of the graph (direction: from → to)."""

    LEGAL_REP_OF = "LEGAL_REP_OF"  # Person → Company: 法定代表人
    HOLDS_SHARES = "HOLDS_SHARES"  # Party → Company: stake_pct, subscribed_cny, since, until
    OFFICER_OF = "OFFICER_OF"  # Person → Company: role, since, until
    BRANCH_OF = "BRANCH_OF"  # Company (branch) → Company (parent): 分支机构
    EMPLOYED_AT = "EMPLOYED_AT"  # Official → Company (agency/court): position, rank, since, until
    PARTY_TO = "PARTY_TO"  # Party → Case: role (plaintiff, enforcee, briber, …)
    HANDLED = "HANDLED"  # Official → Case: role (presiding_judge, …)
    INTERVENED_IN = "INTERVENED_IN"  # Official → Case: record_no, kind, occurred_on
    HEARD_BY = "HEARD_BY"  # Case → Company (court)
    HAS_RECORD = "HAS_RECORD"  # Party → Record: the record's subject
    NAMED_IN = "NAMED_IN"  # Person → Record: role (legal_rep, finance_officer) named in a record
    CONCERNS_CASE = "CONCERNS_CASE"  # Record → Case: the case a record refers to
    HAS_UPDATE = "HAS_UPDATE"  # Record → RecordUpdate: its status history
    HAS_CONTACT = "HAS_CONTACT"  # Party → Contact: from annual reports
    SHARES_CONTACT = "SHARES_CONTACT"  # Party → Party: inferred (疑似关联), via: contact_key
    HAS_MEASURE = "HAS_MEASURE"  # Party → Measure: the measures it is under (propagation)
    HAS_FEEDBACK = "HAS_FEEDBACK"  # Check → CheckFeedback


@dataclass(frozen=True)
class NodeSpec:
    """What the schema guarantees for one label: its natural key and its indexed lookups."""

    label: Label
    description: str
    key: str | None = None  # unique natural key (uniqueness constraint)
    unique: tuple[str, ...] = ()  # further properties with a uniqueness constraint
    indexed: tuple[str, ...] = ()  # range indexes for lookups and filters
    properties: dict[str, str] = field(default_factory=dict)  # property → one-line description

    @property
    def unique_properties(self) -> tuple[str, ...]:
        """Every property with a uniqueness constraint: the key first."""
        return ((self.key,) if self.key else ()) + self.unique


@dataclass(frozen=True)
class RelSpec:
    """What the schema guarantees for one relationship type: its indexed properties."""

    type: RelType
    description: str
    indexed: tuple[str, ...] = ()  # range indexes for filters on the relationship
    properties: dict[str, str] = field(default_factory=dict)  # property → one-line description


@dataclass(frozen=True)
class FulltextIndex:
    """A full-text index over node properties (queried by name through the full-text procedures)."""

    name: str
    label: Label
    properties: tuple[str, ...]
    analyzer: str  # Lucene analyzer: how text is cut into tokens
    eventually_consistent: bool = False  # updated just after the commit instead of inside it


#: What a loader stamps on every node and relationship it creates or changes (docs/model.md).
PROVENANCE: dict[str, str] = {
    "src_kind": "registry kind of the row that last wrote it",
    "src_file": "file name of that row",
    "src_row": "line of that row in its file",
    "load_id": "the :Load that wrote it",
    "loaded_at": "UTC time of that load",
    "row_hash": "content hash of that row; an equal hash means unchanged, nothing is written",
    "history": "JSON of earlier values replaced by corrected rows",
}

NODES: tuple[NodeSpec, ...] = (
    NodeSpec(
        Label.PARTY,
        "A credit subject, person or company; the label every party lookup uses.",
        key="party_id",
        indexed=("name", "district_code", "kind", "load_id"),
        properties={
            "party_id": "USCC for companies, resident id number for persons (normalised)",
            "name": "registered name",
            "kind": "company | person",
            "district_code": "6-digit administrative division code",
            "known_only_from": "source kind when the party is known only from a reference",
            "risk_score": "peripheral-risk score (周边风险) of the latest propagation run",
            "load_id": "the load that last wrote it (provenance): incremental propagation",
        },
    ),
    NodeSpec(
        Label.PERSON,
        "A natural person (自然人).",
        key="id_number",
        properties={"id_number": "resident id number", "gender": "M | F", "birth_date": "date"},
    ),
    NodeSpec(Label.OFFICIAL, "A person holding or having held public office (extra label)."),
    NodeSpec(
        Label.COMPANY,
        "A legal person or other organisation (企业、事业单位、机关、法院 …).",
        key="uscc",
        indexed=("org_kind", "status"),
        properties={
            "uscc": "unified social credit code",
            "org_kind": "enterprise | individual_business | institution | … | court",
            "status": "active | revoked | cancelled | moved_out",
            "registered_capital_cny": "number",
            "established_on": "date",
            "deregistered_on": "date of deregistration (注销), when the registry gives one",
        },
    ),
    NodeSpec(
        Label.CASE,
        "A court, procuratorial or enforcement case.",
        key="case_no",
        indexed=("case_type", "load_id"),
        properties={
            "case_no": "normalised case number, half-width brackets",
            "case_type": "enum",
            "load_id": "the load that last wrote it (provenance): incremental propagation",
        },
    ),
    NodeSpec(
        Label.RECORD,
        "One entry of a source registry (blacklist, penalty, official record, …).",
        key="record_key",
        indexed=("kind", "ref", "load_id"),
        properties={
            "record_key": "kind + ':' + ref, unique across registries",
            "kind": "registry kind, e.g. dishonest_debtor, tax_violation, red_list",
            "ref": "the registry's own reference (record_no, entry_no, CASE_NO|DEBTOR_ID …)",
            "subject_id": "party id of the record's subject (also the HAS_RECORD edge)",
            "start": "date the record takes effect",
            "end": "date it ends; null = open-ended",
            "status": "active | repaired | revoked | corrected | removed (latest update)",
            "voided_on": "earliest repair / revocation / removal date, else null",
            "authority": "the body that made the entry (court, tax bureau, department …)",
            "severity": "how the registry grades it (serious / general …), where it does",
            "domain": "the field of a domain blacklist (food, environment, …)",
            "list": "the named list of a list registry (red list, blacklist …)",
            "category": "the registry's own class of the entry (e.g. 干预 / 过问)",
            "load_id": "the load that last wrote it (provenance): incremental propagation",
        },
    ),
    NodeSpec(
        Label.RECORD_UPDATE,
        "A status change of a record (信用修复, 撤销, 更正, 移出).",
        key="update_key",
        indexed=("record_ref", "load_id"),
        properties={
            "update_key": "record_ref|status|effective_on",
            "record_ref": "the ref of the record(s) it changes; linked when they arrive",
            "status": "enum",
            "effective_on": "date the change takes effect",
            "load_id": "the load that last wrote it (provenance): incremental propagation",
        },
    ),
    NodeSpec(
        Label.CONTACT,
        "A normalised phone, e-mail or address reported by parties.",
        key="contact_key",
        properties={"contact_key": "kind + ':' + normalised value"},
    ),
    NodeSpec(
        Label.LOAD,
        "One loader run over one file, with its summary (loaders.summary.Summary's counts).",
        key="load_id",
        indexed=("started_at", "kind"),
        properties={
            "load_id": "UUID of the run, stamped on everything it wrote",
            "kind": "registry kind of the file",
            "file": "file name",
            "path": "absolute path of the file as loaded",
            "status": "started | done | failed (started stays if the process died)",
            "started_at": "UTC time the load started",
            "finished_at": "UTC time it ended",
            "error": "why a failed load failed",
            "committed_batches": "batches of rows committed (counted in each batch's transaction)",
            "propagated_batches": "of which a completed propagation run covered; fewer: pending",
            "propagation_run": "run_id of the run that last covered its batches",
            "detached": "parties its batches unlinked (a former legal representative, a"
            " record's former subject): incremental propagation",
        },
    ),
    NodeSpec(
        Label.SCHEMA_MIGRATION,
        "One applied schema migration.",
        key="version",
        properties={
            "version": "migration number (cypher/schema/vNNN)",
            "applied_at": "when it was applied",
            "statements": "names of the statements applied, in order",
            "digest": "SHA-256 of its statements (names and texts); never changes once applied",
        },
    ),
    # --- propagation (graph_service/propagation, docs/model.md "Measures") -----------------
    NodeSpec(
        Label.MEASURE,
        "A measure a party is under as of the latest run, direct or derived, with its reason.",
        key="measure_key",
        indexed=("party_id",),
        properties={
            "measure_key": "hash of party, measure, rule, origin record and path",
            "party_id": "the restricted party",
            "measure": "e.g. dishonest_debtor, high_consumption_ban (catalog name)",
            "origin": "direct (the party's own record) | derived (rules R1–R6)",
            "rule": "R1…R6 for derived measures, null for direct ones",
            "record_key": "the originating record",
            "record_ref": "its registry reference",
            "record_kind": "its registry kind",
            "record_party_id": "its subject",
            "authority": "its issuing authority",
            "record_start": "its start date",
            "record_end": "its end date",
            "basis": "legal basis text from the catalog",
            "path_json": "JSON hops from the origin record's party to this party",
            "until": "last day the measure applies; null = open",
            "content_hash": "hash of the above and the catalog version: changed or not",
            "catalog_version": "catalog that produced it",
            "run_id": "run that last wrote it",
            "computed_at": "UTC time of that run",
        },
    ),
    NodeSpec(
        Label.MEASURE_CHANGE,
        "One entry of the change log: a measure gained, lost or changed by a run.",
        key="change_id",
        indexed=("at", "party_id"),
        properties={
            "change_id": "hash of run id, measure key and change",
            "run_id": "the run",
            "at": "UTC time of the run (the log is polled by it)",
            "party_id": "the party",
            "measure": "the measure",
            "measure_key": "the stored measure's key",
            "rule": "its rule, null for direct measures",
            "record_key": "its originating record",
            "change": "gained | lost | changed",
            "catalog_version": "catalog of the run",
            "notices_seq": "a loss's: audit seq up to which checks were read for its notices",
        },
    ),
    NodeSpec(
        Label.PROPAGATION_RUN,
        "One propagation run; the latest one's as_of is the date stored measures hold for.",
        key="run_id",
        properties={
            "run_id": "UUID",
            "mode": "full | incremental",
            "as_of": "date the measures were computed for",
            "catalog_version": "catalog used",
            "parties": "parties whose measures were recomputed",
            "read": "parties read from Neo4j",
            "gained": "measures gained",
            "lost": "measures lost",
            "changed": "measures changed",
            "risk_changed": "peripheral-risk scores changed",
            "seconds": "wall time",
            "risk_seconds": "updating peripheral risk (incremental: beside the measures)",
            "started_at": "UTC start",
            "finished_at": "UTC end",
            "loads": "load_ids of the pending loads the run completed",
        },
    ),
    NodeSpec(
        Label.PROPAGATION_LEASE,
        "Exists while a propagation run holds the lease: one run at a time across processes.",
        key="name",
        properties={
            "name": "runs",
            "holder": "the run holding it (a UUID per run)",
            "expires_at": "when it lapses unless renewed (a killed holder's lapses)",
            "asked_at": "when it was last claimed or renewed",
        },
    ),
    # --- security and accountability (docs/security.md) ---------------------------------
    NodeSpec(
        Label.API_KEY,
        "An API key of a caller; the key itself is never stored.",
        key="key_id",
        unique=("name",),
        properties={
            "key_id": "public 12-hex-digit id, part of the key",
            "name": "unique name of the caller (never reused)",
            "role": "checker | investigator | loader | admin",
            "key_hash": "SHA-256 of the whole key, hex",
            "created_at": "UTC timestamp",
            "revoked_at": "UTC timestamp; null while the key is valid",
        },
    ),
    NodeSpec(
        Label.AUDIT_ENTRY,
        "One entry of the append-only, hash-chained audit log.",
        key="seq",
        indexed=("at", "check_id"),
        properties={
            "seq": "position in the chain: 1, 2, 3 … without gaps",
            "at": "UTC time of the event, text (sorts as time)",
            "kind": "check | feedback | check_viewed | key_created | key_revoked | …",
            "actor_name": "key name (or operator) who acted",
            "actor_role": "the key's role",
            "actor_key_id": "the key's id",
            "payload": "canonical JSON of the event's details",
            "prev_hash": "hash of entry seq-1 (64 zeros for the first)",
            "hash": "SHA-256 of the canonical JSON of seq, at, kind, actor, payload, prev_hash",
            "parties": "normalised party ids of the payload (lookup copy)",
            "parties_text": "the same, space-separated, for the full-text index",
            "check_id": "the payload's check id (lookup copy)",
        },
    ),
    NodeSpec(
        Label.AUDIT_HEAD,
        "The newest audit entry's seq and hash; appenders lock it.",
        key="name",
        properties={"name": "always 'audit'", "seq": "newest seq", "hash": "its hash"},
    ),
    NodeSpec(
        Label.CHECK,
        "A sanction check as answered, for feedback and review.",
        key="check_id",
        properties={
            "check_id": "UUID returned to the caller",
            "request": "the request as JSON (with purpose)",
            "response": "the response as returned (masked for checkers), with its receipt;"
            " an answer of 16 KiB or more is kept as response_zlib instead",
            "response_zlib": "the same text compressed: base64 of zlib of its UTF-8"
            " (graph_service/security/stored.py)",
            "audit_seq": "seq of its audit entry",
        },
    ),
    # --- stop-sharing notices (graph_service/dueprocess, docs/due-process.md) ------------
    NodeSpec(
        Label.SUBSCRIPTION,
        "A webhook an API key registered to receive its stop-sharing notices.",
        key="subscription_id",
        indexed=("key_id",),
        properties={
            "subscription_id": "UUID returned to the key",
            "key_id": "the API key it belongs to",
            "url": "http(s) URL the notices are POSTed to",
            "secret_box": "the HMAC secret, AES-GCM encrypted with the service's notice key",
            "created_at": "UTC timestamp",
            "deleted_at": "UTC timestamp; null while active (pending deliveries are cancelled)",
        },
    ),
    NodeSpec(
        Label.NOTICE,
        "A stop-sharing notice: a party lost a measure a key was told about (due process §4).",
        key="notice_id",
        indexed=("key_id",),
        properties={
            "notice_id": "hash of the key id and the loss's change id (one notice per loss)",
            "key_id": "the API key it is for",
            "party_id": "the party that lost the measure",
            "measure": "the measure lost",
            "record_ref": "the originating record's registry reference",
            "reason": "expired | repaired | revoked | removed | period | objection_upheld"
            " | related_party_change",
            "effective_on": "the first day the measure no longer applied",
            "supersedes_checks": "ids of the key's checks it supersedes",
            "change_id": "the :MeasureChange of the loss",
            "made_at": "UTC time the notice was made (text; the feed pages by it)",
        },
    ),
    NodeSpec(
        Label.DELIVERY,
        "The webhook delivery of one notice to one subscription.",
        key="delivery_id",
        indexed=("state",),
        properties={
            "delivery_id": "notice id and subscription id",
            "notice_id": "the notice",
            "subscription_id": "the subscription",
            "state": "pending | delivered | undelivered | cancelled",
            "attempts": "attempts made",
            "created_at": "when it was created (the retry horizon counts from it)",
            "next_attempt_at": "when it is due (pending only)",
            "last_status": "HTTP status of the last attempt (null: no answer)",
            "last_error": "what went wrong in the last attempt",
            "delivered_at": "when the receiver acknowledged it (2xx)",
        },
    ),
    NodeSpec(
        Label.NOTICE_MARK,
        "Bookkeeping of notices: 'losses' (changes done up to) and 'delivery' (the lease).",
        key="name",
        properties={
            "name": "losses | delivery",
            "at": "losses: the newest change turned into notices",
            "holder": "delivery: the process holding the lease",
            "expires_at": "delivery: when the lease lapses unless renewed",
        },
    ),
    # --- repairs and objections (graph_service/dueprocess, docs/due-process.md) ----------
    NodeSpec(
        Label.REPAIR_APPLICATION,
        "A party's application to end one record early (信用修复, due process §2).",
        key="repair_id",
        indexed=("state",),
        properties={
            "repair_id": "UUID returned to whoever filed it",
            "record_ref": "the record's registry reference (as record_updates name it)",
            "record_key": "the record applied for",
            "party_id": "the record's subject",
            "commitment": "the credit commitment (信用承诺) text",
            "evidence": "document references the application relies on",
            "state": "pending | approved | rejected",
            "filed_at, filed_by": "UTC time and the API key name or operator that filed it",
            "reason, decided_at, decided_by": "the decision's reason, time and decider",
            "update_key": "approved: the :RecordUpdate (repaired) it became",
            "audit_seq": "seq of its filing's audit entry",
        },
    ),
    NodeSpec(
        Label.OBJECTION,
        "An objection to a record (异议, due process §3): open, upheld or dismissed.",
        key="objection_id",
        unique=("open_key",),
        indexed=("state",),
        properties={
            "objection_id": "UUID returned to whoever filed it",
            "open_key": "record_ref|party_id while open (one open objection per party and record)",
            "record_ref": "the record's registry reference",
            "party_id": "the record's subject, the objecting party",
            "grounds, contact": "what the party says and how to reach it",
            "state": "open | upheld | dismissed",
            "due_on": "ISO date the authority must decide by (catalog deadline)",
            "action": "upheld: revoked | corrected (the status update written)",
            "reason, decided_at, decided_by": "the decision's reason, time and decider",
            "update_key": "upheld: the :RecordUpdate it became",
            "audit_seq": "seq of its filing's audit entry",
        },
    ),
    NodeSpec(
        Label.CHECK_FEEDBACK,
        "What an agency did with the measures a check returned.",
        properties={
            "party_id": "the party, as in the check's results",
            "applied": "measures applied",
            "not_applied": "JSON list of {measure, reason}",
            "audit_seq": "seq of its audit entry",
        },
    ),
    NodeSpec(
        Label.CONTRADICTION,
        "Facts of two sources that cannot both be true (due process §7); replaced per refresh,"
        " never read by a decision.",
        key="contradiction_id",
        indexed=("kind",),
        properties={
            "contradiction_id": "hash of kind, party and details",
            "kind": "name_mismatch | record_after_deregistration | minor_role | … (analysis)",
            "party_id": "the party it is about",
            "summary": "one line for operators",
            "details_json": "JSON of what contradicts (names, dates, sums, holders …)",
            "provenance_json": "JSON list of {file, row, load_id, kind} of the rows involved",
            "content_hash": "hash of the above: a refresh rewrites it only when it changed",
            "refresh_id": "the refresh that first found it as it is",
            "refreshed_at": "UTC time of that refresh",
        },
    ),
)

#: The ``load_id`` of a relationship a loader wrote; indexed on the types incremental
#: propagation follows, to find what a load changed.
_LOAD_ID = {"load_id": "the load that last wrote it (provenance): incremental propagation"}

RELATIONSHIPS: tuple[RelSpec, ...] = (
    RelSpec(
        RelType.LEGAL_REP_OF,
        "Person → Company: its legal representative (法定代表人).",
        indexed=("load_id",),
        properties=_LOAD_ID,
    ),
    RelSpec(
        RelType.HOLDS_SHARES,
        "Party → Company: a shareholding.",
        indexed=("until", "load_id"),
        properties={
            "stake_pct": "share of the capital, 0–100",
            "subscribed_cny": "subscribed capital",
            "since": "date; null = unknown",
            "until": "date; null = still held (active-on-date queries filter on it)",
            **_LOAD_ID,
        },
    ),
    RelSpec(
        RelType.OFFICER_OF,
        "Person → Company: director, supervisor, manager …",
        indexed=("role", "load_id"),
        properties={"role": "enum", "since": "date", "until": "date; null = current", **_LOAD_ID},
    ),
    RelSpec(
        RelType.BRANCH_OF,
        "Company (branch) → Company (parent): 分支机构.",
        indexed=("load_id",),
        properties=_LOAD_ID,
    ),
    RelSpec(
        RelType.EMPLOYED_AT,
        "Official → Company (agency or court): a post.",
        properties={"position": "text", "rank": "enum", "since": "date", "until": "date"},
    ),
    RelSpec(
        RelType.PARTY_TO,
        "Party → Case: a party of the case.",
        indexed=("load_id",),
        properties={"role": "plaintiff | enforcee | briber | …", **_LOAD_ID},
    ),
    RelSpec(RelType.HANDLED, "Official → Case.", properties={"role": "presiding_judge | …"}),
    RelSpec(
        RelType.INTERVENED_IN,
        "Official → Case: a recorded intervention in the case.",
        indexed=("record_no",),
        properties={
            "record_no": "the intervention record's number (found when a corrected row moves it)",
            "kind": "enum",
            "occurred_on": "date",
        },
    ),
    RelSpec(RelType.HEARD_BY, "Case → Company (court)."),
    RelSpec(RelType.HAS_RECORD, "Party → Record: the record's subject."),
    RelSpec(
        RelType.NAMED_IN,
        "Person → Record: a person named in a record.",
        indexed=("load_id",),
        properties={"role": "legal_rep | finance_officer", **_LOAD_ID},
    ),
    RelSpec(RelType.CONCERNS_CASE, "Record → Case: the case a record refers to."),
    RelSpec(RelType.HAS_UPDATE, "Record → RecordUpdate: its status history."),
    RelSpec(RelType.HAS_CONTACT, "Party → Contact: reported in annual reports."),
    RelSpec(
        RelType.SHARES_CONTACT,
        "Party → Party: inferred from a shared contact (疑似关联).",
        indexed=("load_id",),
        properties={"inferred": "always true", "via": "the contact_key shared", **_LOAD_ID},
    ),
    RelSpec(RelType.HAS_MEASURE, "Party → Measure: a measure it is under (propagation)."),
    RelSpec(RelType.HAS_FEEDBACK, "Check → CheckFeedback."),
)

#: The full-text index over party names; the ``cjk`` analyzer makes Chinese substrings match.
FULLTEXT_PARTY_NAMES = "party_names"
#: The full-text index over the party ids named by audit entries (whitespace analyzer). It is
#: eventually consistent, so that appending an entry does not wait for Lucene: readers call
#: ``audit/await_fulltext_refresh`` before querying it (schema v005).
FULLTEXT_AUDIT_PARTIES = "audit_entry_parties"

FULLTEXT_INDEXES: tuple[FulltextIndex, ...] = (
    FulltextIndex(FULLTEXT_PARTY_NAMES, Label.PARTY, ("name",), analyzer="cjk"),
    FulltextIndex(
        FULLTEXT_AUDIT_PARTIES,
        Label.AUDIT_ENTRY,
        ("parties_text",),
        analyzer="whitespace",
        eventually_consistent=True,
    ),
)


def node_spec(label: Label) -> NodeSpec:
    """The declaration of ``label``."""
    return next(spec for spec in NODES if spec.label is label)


def rel_spec(rel_type: RelType) -> RelSpec:
    """The declaration of ``rel_type``."""
    return next(spec for spec in RELATIONSHIPS if spec.type is rel_type)


#: The fields every record has, whatever its registry; its other properties are that
#: registry's own details (what reports and GraphQL list under "details").
RECORD_FIELDS: frozenset[str] = frozenset(node_spec(Label.RECORD).properties) - {"load_id"}
