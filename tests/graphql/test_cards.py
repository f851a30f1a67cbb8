"""The party card and the case view read in one statement each (graph_service.gql.cards):
the same answers as with every list read by its own loader, with one read in place of the
lookup and the lists'."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql import cards, schema
from graph_service.identifiers import uscc_check_char
from tests.graphql.conftest import ENFORCEMENT_CASE, HUABEI, LI_NA, WU_GANG, ZHANG_WEI, Api
from tests.graphql.test_prefetch import DOCUMENTS, SECURITY, _reads

pytestmark = pytest.mark.neo4j

#: What the card and the case view read when each list goes through its own loader.
CARD_ALONE = {
    "party/by_id": 1,
    "party/credit_summary": 1,
    "party/measures": 1,
    "party/cases": 1,
    "party/legal_rep": 1,
    "propagation/last_runs": 1,
}
CASE_ALONE = {
    "case/by_nos": 1,
    "case/parties": 1,
    "case/officials": 1,
    "case/interventions": 1,
    "case/records": 1,
}

#: A page after the first, roles filtered, an alias with other arguments, a second page size.
PAGED_CARD = """query ($id: String!, $after: String) { party(id: $id) { ... on Party {
  id measuresDate creditReport { headline measures caseCount }
  measures { key measure }
  cases(first: 1, after: $after) { totalCount pageInfo { hasNextPage endCursor }
                                   nodes { role case { caseNo } } }
  some: cases(first: 2, roles: ["defendant", "enforcee"]) { totalCount nodes { role } }
  ... on Company { legalRepresentative { id name } } } } }"""
PAGED_CASE = """query ($caseNo: String!, $after: String) { case(caseNo: $caseNo) {
  ... on Case { caseNo court { id }
    parties(first: 1, after: $after, roles: ["enforcee", "applicant"]) {
      totalCount pageInfo { hasNextPage } nodes { role party { id } case { caseNo } } }
    officials(first: 1) { totalCount nodes { role official { id } } }
    interventions(first: 1) { totalCount nodes { kind official { id } record { key } } }
    records(state: ACTIVE, first: 1, after: $after) { totalCount nodes { key active } } } } }"""


def _without_cards(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cards, "PARTY_LISTS", {})
    monkeypatch.setattr(cards, "CASE_CARD_LISTS", {})


def _answers(api: Api, query: str, variables: dict[str, Any]) -> tuple[Any, dict[str, int]]:
    api.db.query_counts.clear()
    data = api.data(query, variables)
    return data, {n: c for n, c in api.db.query_counts.items() if n.split("/")[0] not in SECURITY}


@pytest.mark.parametrize("party", [HUABEI, ZHANG_WEI, LI_NA, WU_GANG])
def test_the_card_is_one_read_and_answers_as_each_list_read_alone(
    api: Api, samples: Database, party: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_reads = _reads(api, "PARTY_CARD", {"id": party})
    _without_cards(monkeypatch)
    alone, alone_reads = _reads(api, "PARTY_CARD", {"id": party})

    assert one == alone and one["party"]["id"] == party
    assert one_reads == {"party/card": 1}
    assert alone_reads == CARD_ALONE


def test_the_card_of_the_sample_company_holds_every_list(api: Api, samples: Database) -> None:
    card = api.data(DOCUMENTS["PARTY_CARD"], {"id": HUABEI})["party"]
    assert card["measures"] and card["creditReport"]["measures"]
    assert card["cases"]["totalCount"] >= 1 and card["cases"]["nodes"]
    assert card["legalRepresentative"] == {"id": ZHANG_WEI, "name": "张伟"}


def test_pages_roles_and_aliases_answer_as_each_list_read_alone(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, _ = _answers(api, PAGED_CARD, {"id": HUABEI})
    after = first["party"]["cases"]["pageInfo"]["endCursor"]
    asked = [({"id": HUABEI}, PAGED_CARD), ({"id": HUABEI, "after": after}, PAGED_CARD)]
    asked += [({"caseNo": ENFORCEMENT_CASE, "after": None}, PAGED_CASE)]
    asked += [({"caseNo": ENFORCEMENT_CASE, "after": after}, PAGED_CASE)]  # the second items
    with_cards = [_answers(api, query, variables) for variables, query in asked]
    _without_cards(monkeypatch)
    alone = [_answers(api, query, variables) for variables, query in asked]

    assert [data for data, _ in with_cards] == [data for data, _ in alone]
    # the alias with other arguments is read by its own resolver, beside the card
    assert with_cards[0][1] == {"party/card": 1, "party/cases": 1}
    assert {name for name in with_cards[2][1]} == {"case/card"}


def test_the_case_is_one_read_and_answers_as_each_list_read_alone(
    api: Api, samples: Database, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"caseNo": ENFORCEMENT_CASE, "first": 100}
    one, one_reads = _reads(api, "CASE", variables)
    _without_cards(monkeypatch)
    alone, alone_reads = _reads(api, "CASE", variables)

    assert one == alone
    case = one["case"]
    assert case["parties"]["nodes"] and case["officials"]["nodes"]
    assert case["interventions"]["nodes"] and case["records"]["nodes"]
    assert one_reads == {"case/card": 1}
    assert alone_reads == CASE_ALONE


def test_an_unknown_party_or_case_is_null_after_one_read(api: Api, samples: Database) -> None:
    unknown = "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")
    data, reads = _reads(api, "PARTY_CARD", {"id": unknown})
    assert data == {"party": None}
    # the measures' date is not the party's: without a party it is read on its own
    assert reads == {"party/card": 1, "propagation/last_runs": 1}
    data, reads = _reads(api, "CASE", {"caseNo": "(2099)冀01执1号", "first": 5})
    assert data == {"case": None} and reads == {"case/card": 1}


def test_a_document_without_the_card_lists_reads_the_party_alone(
    api: Api, samples: Database
) -> None:
    data, reads = _reads(api, "RECORDS", {"id": HUABEI})
    assert data["party"]["records"]["totalCount"] and "party/card" not in reads
    # session 8: the party comes with its page of records (party/records), not party/by_id
    assert reads == {"party/records": 1}


@pytest.mark.parametrize("on", [None, "2019-06-30", "2001-01-01"])
@pytest.mark.parametrize("party", [HUABEI, ZHANG_WEI, WU_GANG])
def test_the_tie_counts_are_one_read_and_count_as_read_alone(
    api: Api, samples: Database, party: str, on: str | None, monkeypatch: pytest.MonkeyPatch
) -> None:
    variables = {"id": party, "activeOn": on}
    one, one_reads = _reads(api, "TIE_COUNTS", variables)
    _without_cards(monkeypatch)
    alone, alone_reads = _reads(api, "TIE_COUNTS", variables)

    assert one == alone and any(c["count"] for c in one["party"]["tieCounts"])
    assert one_reads == {"party/card": 1}
    assert alone_reads == {"party/by_id": 1, "party/tie_counts": 1}


#: The records view, a later page, a filtered alias-free page, a party without records.
RECORDS_PAGES = """query ($id: String!, $after: String, $on: Date) { party(id: $id) {
  ... on Party { id name records(state: ACTIVE, kinds: ["court_judgment", "enforcement"],
                                 activeOn: $on, first: 1, after: $after) {
    totalCount pageInfo { hasNextPage endCursor } nodes { key kind active updates { status } } }
  ... on Company { uscc } } } }"""


@pytest.mark.parametrize("party", [HUABEI, ZHANG_WEI, LI_NA, WU_GANG])
def test_the_records_view_is_one_read_and_answers_as_read_alone(
    api: Api, samples: Database, party: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, first_reads = _reads(api, "RECORDS", {"id": party})
    after = first["party"]["records"]["pageInfo"]["endCursor"]
    asked = [(DOCUMENTS["RECORDS"], {"id": party, "after": after})]
    asked += [(RECORDS_PAGES, {"id": party, "after": None, "on": None})]
    asked += [(RECORDS_PAGES, {"id": party, "after": None, "on": "2019-06-30"})]
    one = [_answers(api, query, variables) for query, variables in asked]
    monkeypatch.setattr(schema, "read_records", lambda *args: None)
    alone_first, alone_reads = _reads(api, "RECORDS", {"id": party})
    alone = [_answers(api, query, variables) for query, variables in asked]

    assert first == alone_first and first["party"]["records"]["nodes"] is not None
    assert [data for data, _ in one] == [data for data, _ in alone]
    assert first_reads == {"party/records": 1} and all(r == first_reads for _, r in one)
    assert alone_reads == {"party/by_id": 1, "party/records": 1}


def test_a_party_without_records_has_none_after_one_read(api: Api, samples: Database) -> None:
    data, reads = _reads(api, "RECORDS", {"id": LI_NA})
    assert data["party"]["records"]["totalCount"] == 0 and data["party"]["records"]["nodes"] == []
    assert reads == {"party/records": 1}
    unknown = "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")
    data, reads = _reads(api, "RECORDS", {"id": unknown})
    assert data == {"party": None} and reads == {"party/records": 1}
