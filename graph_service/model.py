"""The graph model, declared once.

Node labels and relationship types are closed enums: Cypher files use exactly these, and a
test checks that the schema migrations create the constraints and indexes declared here.
``docs/model.md`` draws the same model.
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
    API_KEY = "ApiKey"  # an API key (its hash, never the key); key key_id
    AUDIT_ENTRY = "AuditEntry"  # one entry of the hash-chained audit log; key seq
    AUDIT_HEAD = "AuditHead"  # the audit log's newest seq and hash; the append lock
    CHECK = "Check"  # a sanction check as answered; key check_id
    CHECK_FEEDBACK = "CheckFeedback"  # which returned measures an agency applied


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
    HAS_FEEDBACK = "HAS_FEEDBACK"  # Check → CheckFeedback


@dataclass(frozen=True)
class NodeSpec:
    """What the schema guarantees for one label: its natural key and its indexed lookups."""

    label: Label
    description: str
    key: str | None = None  # unique natural key (uniqueness constraint)
    indexed: tuple[str, ...] = ()  # range indexes for lookups and filters
    properties: dict[str, str] = field(default_factory=dict)  # property → one-line description


NODES: tuple[NodeSpec, ...] = (
    NodeSpec(
        Label.PARTY,
        "A credit subject, person or company; the label every party lookup uses.",
        key="party_id",
        indexed=("name", "district_code", "kind"),
        properties={
            "party_id": "USCC for companies, resident id number for persons (normalised)",
            "name": "registered name",
            "kind": "company | person",
            "district_code": "6-digit administrative division code",
            "known_only_from": "source kind when the party is known only from a reference",
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
        },
    ),
    NodeSpec(
        Label.CASE,
        "A court, procuratorial or enforcement case.",
        key="case_no",
        indexed=("case_type",),
        properties={"case_no": "normalised case number, half-width brackets", "case_type": "enum"},
    ),
    NodeSpec(
        Label.RECORD,
        "One entry of a source registry (blacklist, penalty, official record, …).",
        key="record_key",
        indexed=("kind", "ref"),
        properties={
            "record_key": "kind + ':' + ref, unique across registries",
            "kind": "registry kind, e.g. dishonest_debtor, tax_violation, red_list",
            "ref": "the registry's own reference (record_no, entry_no, CASE_NO|DEBTOR_ID …)",
        },
    ),
    NodeSpec(
        Label.RECORD_UPDATE,
        "A status change of a record (信用修复, 撤销, 更正, 移出).",
        key="update_key",
        indexed=("record_ref",),
        properties={
            "update_key": "record_ref|status|effective_on",
            "record_ref": "the ref of the record(s) it changes; linked when they arrive",
            "status": "enum",
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
        "One loader run over one file, with its summary.",
        key="load_id",
        indexed=("started_at", "kind"),
    ),
    NodeSpec(
        Label.SCHEMA_MIGRATION,
        "One applied schema migration.",
        key="version",
    ),
    # --- security and accountability (docs/security.md) ---------------------------------
    NodeSpec(
        Label.API_KEY,
        "An API key of a caller; the key itself is never stored.",
        key="key_id",
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
            "response": "the response as returned (masked for checkers), with its receipt",
            "audit_seq": "seq of its audit entry",
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
)

#: The full-text index over party names; the ``cjk`` analyzer makes Chinese substrings match.
FULLTEXT_PARTY_NAMES = "party_names"
#: The full-text index over the party ids named by audit entries (whitespace analyzer). It is
#: eventually consistent, so that appending an entry does not wait for Lucene: readers call
#: ``audit/await_fulltext_refresh`` before querying it (schema v005).
FULLTEXT_AUDIT_PARTIES = "audit_entry_parties"


def node_spec(label: Label) -> NodeSpec:
    """The declaration of ``label``."""
    return next(spec for spec in NODES if spec.label is label)
