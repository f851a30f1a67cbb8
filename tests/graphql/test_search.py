"""Full-text name search: Chinese substrings, filters, ranking, paging, escaping."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.db import Database
from tests.graphql.conftest import HUABEI, ZHANG_WEI, Api

pytestmark = pytest.mark.neo4j

SEARCH = """
query ($text: String!, $kind: PartyKind, $district: String, $orgKind: String,
       $measure: Boolean, $first: Int, $after: String) {
  searchParties(text: $text, kind: $kind, district: $district, orgKind: $orgKind,
                hasActiveMeasure: $measure, first: $first, after: $after) {
    ... on SearchHitConnection {
      pageInfo { hasNextPage endCursor }
      edges { cursor node { score party { id name kind } } } }
    ... on InvalidInputError { argument message }
  }
}"""


def _search(api: Api, text: str, **variables: Any) -> dict[str, Any]:
    return api.data(SEARCH, {"text": text, **variables})["searchParties"]  # type: ignore[no-any-return]


def _names(found: dict[str, Any]) -> list[str]:
    return [e["node"]["party"]["name"] for e in found["edges"]]


def test_chinese_substring_finds_the_full_name_best_first(api: Api, samples: Database) -> None:
    found = _search(api, "华北建设")
    assert _names(found) == ["石家庄华北建设工程有限公司", "石家庄华北建设工程有限公司鹿泉分公司"]
    assert found["edges"][0]["node"]["party"]["id"] == HUABEI
    scores = [e["node"]["score"] for e in found["edges"]]
    assert scores == sorted(scores, reverse=True)
    # every word must match, as a substring of the name
    assert _names(_search(api, "华北 分公司")) == ["石家庄华北建设工程有限公司鹿泉分公司"]
    assert _names(_search(api, "华南建设")) == []


def test_filters_kind_district_org_kind_and_measures(api: Api, samples: Database) -> None:
    assert _names(_search(api, "张伟", kind="PERSON")) == ["张伟"]
    assert _names(_search(api, "张伟", kind="COMPANY")) == []
    in_xinhua = _names(_search(api, "公司", district="130105"))
    assert sorted(in_xinhua) == ["河北瑞丰食品有限公司", "石家庄永兴劳务派遣有限公司"]
    assert _names(_search(api, "法院", orgKind="court")) == ["石家庄市中级人民法院"]
    with_measures = _search(api, "石家庄", measure=True)
    assert _names(with_measures) == ["石家庄华北建设工程有限公司"]
    without = _names(_search(api, "华北建设", measure=False))
    assert without == ["石家庄华北建设工程有限公司鹿泉分公司"]
    assert [e["node"]["party"]["id"] for e in _search(api, "张伟", measure=True)["edges"]] == [
        ZHANG_WEI
    ]


def test_pages_follow_the_cursor(api: Api, samples: Database) -> None:
    first = _search(api, "华北建设", first=1)
    assert len(first["edges"]) == 1 and first["pageInfo"]["hasNextPage"] is True
    second = _search(api, "华北建设", first=1, after=first["pageInfo"]["endCursor"])
    assert _names(second) == ["石家庄华北建设工程有限公司鹿泉分公司"]
    assert second["pageInfo"]["hasNextPage"] is False


def test_lucene_syntax_in_input_is_only_text(api: Api, samples: Database) -> None:
    # quotes, operators and wildcards are searched for literally, never parsed
    for text in ['华北" OR "张', "华北*", "name:华北", "(华北) AND", "\\华北"]:
        found = _search(api, text)
        assert "edges" in found, found


def test_too_short_or_long_input_is_a_typed_error(api: Api, samples: Database) -> None:
    assert _search(api, "华")["argument"] == "text"
    assert _search(api, "   ")["argument"] == "text"
    assert _search(api, "华北" * 60)["argument"] == "text"
    assert _search(api, "华北", first=0)["argument"] == "first"
