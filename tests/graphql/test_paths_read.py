"""The connection view read in one statement (graph_service.gql.cards.read_paths): the party
and its shortest paths come from ``explore/shortest_paths_N``, with the same answers as with
the party's lookup and the paths each read on their own."""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql import schema
from graph_service.identifiers import uscc_check_char
from tests.graphql.conftest import HENGTAI, HUABEI, LI_NA, LIU_YANG, RUIFENG, WANG_QIANG, Api
from tests.graphql.test_prefetch import _reads

pytestmark = pytest.mark.neo4j

PATHS = "explore/shortest_paths_6"  # the workbench asks for maxHops: 6
#: The page's connection search (graph.js): its variables, and one as of a past day.
VIEWS = [
    {"id": HUABEI, "to": LI_NA},
    {"id": LI_NA, "to": LIU_YANG},
    {"id": HENGTAI, "to": HUABEI, "types": ["HOLDS_SHARES"]},
    {"id": HUABEI, "to": LI_NA, "activeOn": "2019-06-30"},
    {"id": RUIFENG, "to": HUABEI},  # no connection between the two
    {"id": WANG_QIANG, "to": "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")},
]


def _alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "read_paths", lambda *args: None)


@pytest.mark.parametrize("variables", VIEWS)
def test_the_connection_view_is_one_read_and_answers_as_each_read_alone(
    api: Api, samples: Database, variables: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_reads = _reads(api, "PATHS", variables)
    _alone(monkeypatch)
    alone, alone_reads = _reads(api, "PATHS", variables)

    assert one == alone and one["party"]["__typename"] in {"Company", "Person"}
    assert one["party"]["paths"]["__typename"] == "Connections"
    assert one_reads == {PATHS: 1}
    assert alone_reads == {"party/by_id": 1, PATHS: 1}


def test_the_sample_paths_come_through_the_one_read(api: Api, samples: Database) -> None:
    data, reads = _reads(api, "PATHS", {"id": LI_NA, "to": LIU_YANG})
    found = data["party"]["paths"]
    assert found["length"] == 3 and len(found["paths"]) == 4  # as test_relations finds them
    assert reads == {PATHS: 1}


def test_an_unknown_party_is_null_after_one_read(api: Api, samples: Database) -> None:
    unknown = "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")
    data, reads = _reads(api, "PATHS", {"id": unknown, "to": HUABEI})
    assert data == {"party": None} and reads == {PATHS: 1}


def test_paths_to_the_party_itself_read_only_the_party(api: Api, samples: Database) -> None:
    data, reads = _reads(api, "PATHS", {"id": HUABEI, "to": HUABEI})
    refused = data["party"]["paths"]
    assert refused["__typename"] == "InvalidInputError" and refused["argument"] == "to"
    assert reads == {"party/by_id": 1}
