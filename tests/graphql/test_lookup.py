"""Looking up parties and cases: normalised identifiers, typed errors, records, measures."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.db import Database
from graph_service.identifiers import uscc_check_char
from tests.graphql.conftest import (
    ENFORCEMENT_CASE,
    HUABEI,
    WU_GANG,
    ZHANG_WEI,
    ZHOU_JIE,
    Api,
)

pytestmark = pytest.mark.neo4j

PARTY = """
query ($id: String!) {
  party(id: $id) {
    __typename
    ... on Party { id name kind districtCode provenance { srcKind srcFile srcRow loadId } }
    ... on Company { uscc orgKind legalRepName legalRepresentative { id name } }
    ... on InvalidInputError { argument message }
  }
}
"""


def test_party_by_identifier_is_normalised_like_the_checks(api: Api, samples: Database) -> None:
    # full-width, lower case and spaces around: the same party
    data = api.data(PARTY, {"id": " ９１１３０１０２ｒｇ８ｅ６４ｘｋｋｒ "})
    party = data["party"]
    assert party["__typename"] == "Company"
    assert (party["id"], party["name"]) == (HUABEI, "石家庄华北建设工程有限公司")
    assert party["legalRepresentative"] == {"id": ZHANG_WEI, "name": "张伟"}
    assert party["provenance"]["srcKind"] == "companies"
    assert party["provenance"]["srcFile"] == "companies.csv"


def test_unknown_party_is_null_and_malformed_one_a_typed_error(api: Api, samples: Database) -> None:
    unknown = "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")
    assert api.data(PARTY, {"id": unknown})["party"] is None
    bad = api.data(PARTY, {"id": "91130102RG8E64XKKX"})["party"]
    assert bad == {
        "__typename": "InvalidInputError",
        "argument": "id",
        "message": "fails the USCC check digit",
    }


def test_case_by_number_with_full_width_brackets(api: Api, samples: Database) -> None:
    query = """
    query ($no: String!) {
      case(caseNo: $no) {
        ... on Case {
          caseNo caseType court { name }
          parties { totalCount nodes { role party { id name } } }
          officials { nodes { role official { id name __typename } } }
          interventions { nodes { kind occurredOn description official { id name } } }
          records { nodes { kind ref active } }
        }
      }
    }"""
    case = api.data(query, {"no": "（2021）冀01执456号"})["case"]
    assert case["caseNo"] == ENFORCEMENT_CASE
    assert case["court"] == {"name": "石家庄市中级人民法院"}
    roles = {(n["role"], n["party"]["id"]) for n in case["parties"]["nodes"]}
    assert ("enforcee", HUABEI) in roles and case["parties"]["totalCount"] == 2
    assert case["officials"]["nodes"] == [
        {
            "role": "enforcement_officer",
            "official": {"id": ZHOU_JIE, "name": "周杰", "__typename": "Official"},
        }
    ]
    # 司法公信: the official who intervened, with the record's own description
    assert case["interventions"]["nodes"] == [
        {
            "kind": "intervention",
            "occurredOn": "2021-04-02",
            "description": "电话要求暂缓执行",
            "official": {"id": WU_GANG, "name": "吴刚"},
        }
    ]
    assert {r["kind"] for r in case["records"]["nodes"]} == {"dishonest_debtor", "intervention"}


def test_case_records_are_judged_on_a_date(api: Api, samples: Database) -> None:
    query = """query ($no: String!, $state: RecordState!, $on: Date) { case(caseNo: $no) {
      ... on Case { records(state: $state, activeOn: $on) { nodes { kind active asOf } } } } }"""

    def kinds(state: str, on: str) -> set[tuple[str, bool]]:
        variables = {"no": ENFORCEMENT_CASE, "state": state, "on": on}
        nodes = api.data(query, variables)["case"]["records"]["nodes"]
        assert all(n["asOf"] == on for n in nodes)
        return {(n["kind"], n["active"]) for n in nodes}

    # the dishonest-debtor listing starts on 2021-06-01 and is still open
    assert ("dishonest_debtor", False) in kinds("INACTIVE", "2021-05-01")
    assert "dishonest_debtor" not in {k for k, _ in kinds("ACTIVE", "2021-05-01")}
    assert ("dishonest_debtor", True) in kinds("ACTIVE", "2022-01-01")


def test_unknown_case_is_null(api: Api, samples: Database) -> None:
    assert api.data('{ case(caseNo: "(1999)冀01执1号") { __typename } }')["case"] is None


def test_official_cases_interventions_and_integrity_records(api: Api, samples: Database) -> None:
    query = """
    query ($id: String!) {
      party(id: $id) {
        ... on Official {
          employments { nodes { position active agency { name } } }
          cases { nodes { role case { caseNo caseType } } }
          interventions { nodes { recordNo case { caseNo } } }
          integrityRecords { nodes { category ref active end } }
          active: integrityRecords(state: ACTIVE) { totalCount }
          then: integrityRecords(state: ACTIVE, activeOn: "2023-01-01") { totalCount }
        }
      }
    }"""
    official = api.data(query, {"id": WU_GANG})["party"]
    assert official["employments"]["nodes"][0]["agency"]["name"].endswith("人力资源和社会保障局")
    assert official["cases"]["nodes"] == [
        {"role": "bribe_taker", "case": {"caseNo": "(2022)冀0105刑初78号", "caseType": "bribery"}}
    ]
    assert official["interventions"]["nodes"] == [
        {"recordNo": "GY-2021-0031", "case": {"caseNo": ENFORCEMENT_CASE}}
    ]
    # the discipline record expired on 2024-04-15: past today, active on 2023-01-01
    assert official["integrityRecords"]["nodes"][0]["category"] == "discipline"
    assert official["active"]["totalCount"] == 0
    assert official["then"]["totalCount"] == 1


def test_records_active_and_past_with_updates_and_provenance(api: Api, samples: Database) -> None:
    query = """
    {
      party(id: "91130111WHGGB7XE3B") {
        ... on Party {
          records { nodes { key kind status voidedOn active details
                            updates { status effectiveOn reason }
                            named { role party { name } }
                            provenance { srcFile srcRow } } }
          before: records(state: ACTIVE, activeOn: "2024-01-09") { totalCount }
          after: records(state: ACTIVE, activeOn: "2024-01-10") { totalCount }
          inactive: records(state: INACTIVE) { totalCount }
        }
      }
    }"""
    party = api.data(query)["party"]
    record = party["records"]["nodes"][0]
    assert record["kind"] == "tax_violation" and record["status"] == "repaired"
    assert record["voidedOn"] == "2024-01-10" and record["active"] is False
    assert record["details"]["nature"] == "false_invoicing"
    assert record["updates"][0]["status"] == "repaired"
    assert {(n["role"], n["party"]["name"]) for n in record["named"]} == {
        ("legal_rep", "陈静"),
        ("finance_officer", "杨磊"),
    }
    # provenance names the row that last changed the record: here its repair
    assert record["provenance"] == {"srcFile": "record_updates.csv", "srcRow": 2}
    # repaired on 2024-01-10: active the day before, not that day (docs/model.md)
    assert (party["before"]["totalCount"], party["after"]["totalCount"]) == (1, 0)
    assert party["inactive"]["totalCount"] == 1


def test_measures_with_explanations_and_credit_report(api: Api, samples: Database) -> None:
    query = """
    query ($id: String!) {
      party(id: $id) {
        ... on Party {
          riskScore
          measures { measure origin rule explanation path { name relation party { id } }
                     record { kind authority } }
          creditReport { activeRecords seriousDishonesty measures headline }
        }
      }
    }"""
    person = api.data(query, {"id": ZHANG_WEI})["party"]
    (measure,) = person["measures"]
    assert (measure["measure"], measure["origin"], measure["rule"]) == (
        "high_consumption_ban",
        "DERIVED",
        "R1",
    )
    assert "石家庄华北建设工程有限公司 —LEGAL_REP_OF→ 张伟" in measure["explanation"]
    assert measure["path"][0]["party"] == {"id": HUABEI}
    assert measure["record"] == {"kind": "dishonest_debtor", "authority": "石家庄市中级人民法院"}
    company = api.data(query, {"id": HUABEI})["party"]
    report: dict[str, Any] = company["creditReport"]
    assert report["seriousDishonesty"] is True
    assert report["measures"] == ["dishonest_debtor"]
    assert report["headline"].startswith("严重失信")


def test_contacts_and_shared_contacts_are_marked_inferred(api: Api, samples: Database) -> None:
    query = """
    { party(id: "91130102RG8E64XKKR") { ... on Party {
        contacts { kind value sharedBy }
        sharedContacts { nodes { via inferred party { name } } } } } }"""
    party = api.data(query)["party"]
    assert party["contacts"] == [{"kind": "phone", "value": "031186661234", "sharedBy": 2}]
    assert party["sharedContacts"]["nodes"] == [
        {"via": "phone:031186661234", "inferred": True, "party": {"name": "石家庄鑫源贸易有限公司"}}
    ]


def test_company_officers_shareholders_and_branches(api: Api, samples: Database) -> None:
    query = """
    { party(id: "91130102RG8E64XKKR") { ... on Company {
        officers { nodes { role active person { name } } }
        controllerRole: officers(roles: ["actual_controller"]) { totalCount }
        shareholders { nodes { stakePct since active holder { name } } }
        holdings { nodes { stakePct company { name } } }
        branches { nodes { name ... on Company { parent { id } } } } } } }"""
    company = api.data(query)["party"]
    assert {(o["role"], o["person"]["name"]) for o in company["officers"]["nodes"]} == {
        ("chair", "张伟"),
        ("manager", "王强"),
        ("actual_controller", "刘洋"),
    }
    assert company["controllerRole"]["totalCount"] == 1
    assert [(s["holder"]["name"], s["stakePct"]) for s in company["shareholders"]["nodes"]] == [
        ("刘洋", 70.0),
        ("张伟", 30.0),
    ]
    assert [h["stakePct"] for h in company["holdings"]["nodes"]] == [60.0, 30.0]
    assert company["branches"]["nodes"] == [
        {"name": "石家庄华北建设工程有限公司鹿泉分公司", "parent": {"id": HUABEI}}
    ]


def test_parties_by_ids_in_order(api: Api, samples: Database) -> None:
    query = """query ($ids: [String!]!) { parties(ids: $ids) {
        ... on PartyList { parties { id } } ... on InvalidInputError { argument } } }"""
    found = api.data(query, {"ids": [ZHANG_WEI, "130102197203158350", HUABEI]})["parties"]
    assert [p["id"] for p in found["parties"]] == [ZHANG_WEI, ZHANG_WEI, HUABEI]
    too_many = api.data(query, {"ids": [ZHANG_WEI] * 101})["parties"]
    assert too_many == {"argument": "ids"}
