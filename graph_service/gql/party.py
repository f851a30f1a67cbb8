"""Parties: the ``Party`` interface and its types ``Company``, ``Person`` and ``Official``.

A party object is built from the node's properties as read (every query returns whole
nodes), so its scalar fields cost nothing; every list or related object is a resolver in its
family module that goes through the request's DataLoaders.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from enum import Enum
from typing import Any

import strawberry

from graph_service.gql.case import cases_of, handled_cases_of, interventions_of
from graph_service.gql.convert import as_date, as_float, as_str
from graph_service.gql.measures import measures_as_of_of, measures_date_of, measures_of
from graph_service.gql.ownership import (
    actual_controllers_of,
    beneficial_owners_of,
    ownership_tree_of,
)
from graph_service.gql.records import credit_report_of, integrity_records_of, records_of
from graph_service.gql.relations import neighbours_of, paths_of
from graph_service.gql.shared import Provenance, provenance, register_party_builder
from graph_service.gql.ties import (
    branches_of,
    contacts_of,
    employments_of,
    holdings_of,
    officers_of,
    parent_of,
    positions_of,
    representative_of,
    represented_of,
    shared_contacts_of,
    shareholders_of,
    staff_of,
    tie_counts_of,
)
from graph_service.gql.why_not_facts import why_not_of


@strawberry.enum(description="What kind of credit subject a party is.")
class PartyKind(Enum):
    """company (企业/单位) or person (自然人)."""

    COMPANY = "company"
    PERSON = "person"


@strawberry.interface(description="A credit subject: a company or other organisation, or a person.")
class Party:
    """Fields every party has; lists are paginated, relationships take ``activeOn``."""

    id: strawberry.ID = strawberry.field(
        description="Normalised identifier: USCC (companies) or resident id number (persons)."
    )
    kind: PartyKind
    name: str | None = strawberry.field(description="Registered name.")
    district_code: str | None = strawberry.field(description="6-digit administrative division.")
    known_only_from: str | None = strawberry.field(
        description="Set while the party is known only from another registry's reference: "
        "that registry's kind. Its own registry row has not been loaded."
    )
    risk_score: float | None = strawberry.field(
        description="Peripheral-risk score (周边风险) from the latest propagation run."
    )
    provenance: Provenance | None
    labels: strawberry.Private[tuple[str, ...]]
    props: strawberry.Private[Mapping[str, Any]]

    measures = measures_of
    measures_date = measures_date_of
    measures_as_of = measures_as_of_of
    records = records_of
    credit_report = credit_report_of
    cases = cases_of
    holdings = holdings_of
    contacts = contacts_of
    shared_contacts = shared_contacts_of
    tie_counts = tie_counts_of
    neighbours = neighbours_of
    paths = paths_of
    ownership_tree = ownership_tree_of
    why_not = why_not_of


@strawberry.type(description="A legal person or other organisation (企业、事业单位、机关、法院 …).")
class Company(Party):
    """A :Party:Company node."""

    uscc: str | None = strawberry.field(description="Unified social credit code.")
    org_kind: str | None = strawberry.field(
        description="enterprise, individual_business, institution, social_org, gov_agency, "
        "court, procuratorate, hospital or school."
    )
    status: str | None = strawberry.field(description="active, revoked, cancelled or moved_out.")
    registered_capital_cny: float | None
    established_on: date | None
    address: str | None
    industry: str | None
    legal_rep_name: str | None = strawberry.field(
        description="Legal representative's name as registered (see legalRepresentative)."
    )

    legal_representative = representative_of
    officers = officers_of
    shareholders = shareholders_of
    branches = branches_of
    parent = parent_of
    staff = staff_of
    actual_controllers = actual_controllers_of
    beneficial_owners = beneficial_owners_of


@strawberry.interface(description="A natural person: a Person or an Official.")
class NaturalPerson(Party):
    """Fields of every natural person."""

    id_number: str | None = strawberry.field(description="Resident identity number.")
    gender: str | None = strawberry.field(description="M or F.")
    birth_date: date | None

    positions = positions_of
    legal_representative_of = represented_of


@strawberry.type(description="A natural person (自然人).")
class Person(NaturalPerson):
    """A :Party:Person node without the :Official label."""


@strawberry.type(description="A person who holds or held public office (公职人员, 司法人员).")
class Official(NaturalPerson):
    """A :Party:Person:Official node: posts, cases handled, interventions, integrity records."""

    employments = employments_of
    handled_cases = handled_cases_of
    interventions = interventions_of
    integrity_records = integrity_records_of


@register_party_builder  # the families below build parties through shared.party_of
def party_from(labels: Sequence[str], props: Mapping[str, Any]) -> Company | Person | Official:
    """The party object of a node, by its labels (Official before Person before Company)."""
    if "Company" in labels or props.get("kind") == "company":
        return Company(**_common(labels, props), **_company(props))
    person = {**_common(labels, props), **_person(props)}
    return Official(**person) if "Official" in labels else Person(**person)


def _common(labels: Sequence[str], props: Mapping[str, Any]) -> dict[str, Any]:
    kind = PartyKind.COMPANY if props.get("kind") == "company" else PartyKind.PERSON
    return {
        "id": strawberry.ID(str(props["party_id"])),
        "kind": kind,
        "name": as_str(props.get("name")),
        "district_code": as_str(props.get("district_code")),
        "known_only_from": as_str(props.get("known_only_from")),
        "risk_score": as_float(props.get("risk_score")),
        "provenance": provenance(props),
        "labels": tuple(labels),
        "props": props,
    }


def _company(props: Mapping[str, Any]) -> dict[str, Any]:
    text = ("uscc", "org_kind", "status", "address", "industry", "legal_rep_name")
    return {
        **{key: as_str(props.get(key)) for key in text},
        "registered_capital_cny": as_float(props.get("registered_capital_cny")),
        "established_on": as_date(props.get("established_on")),
    }


def _person(props: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "id_number": as_str(props.get("id_number")),
        "gender": as_str(props.get("gender")),
        "birth_date": as_date(props.get("birth_date")),
    }


#: The concrete party types, registered with the schema (interfaces need them listed).
PARTY_TYPES = (Company, Person, Official)
