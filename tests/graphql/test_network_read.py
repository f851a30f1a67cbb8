"""The network view read in one statement (graph_service.gql.cards.read_neighbours): the party
and its network's first step come from ``explore/first_step_*``, with the same answers as the
resolver gives reading the party's lookup and the first step apart, and as the view read before
the first step was one statement (the lookup ``party/by_id``, the step ``explore/expand_*``, the
party's own ring ``party/credit_summary``); and the first step holds what ``explore/expand_*``
reads from the party alone, with the party's own row and credit summary as ``party/by_id`` and
``party/credit_summary`` give them."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql import prefetch, schema
from graph_service.gql.context import Context
from graph_service.gql.relations import (
    EXPAND_QUERY,
    FIRST_STEP_QUERY,
    expand_params,
    first_step_params,
)
from graph_service.gql.shared import Direction, RelationType
from graph_service.identifiers import uscc_check_char
from tests.graphql.conftest import (
    HENGTAI,
    HUABEI,
    LI_NA,
    LIU_YANG,
    WU_GANG,
    ZHANG_WEI,
    ZHOU_JIE,
    Api,
)
from tests.graphql.test_prefetch import _reads

pytestmark = pytest.mark.neo4j

FIRST = "explore/first_step_both"  # the workbench's network follows ties both ways
OPEN = {"depth": 1, "maxNodes": 41}  # the network as the page first draws it (graph.js)
#: The page's network (and a node's expansion, the same document) as it sends them.
VIEWS = [
    {"id": HUABEI, **OPEN},
    {"id": ZHANG_WEI, **OPEN},
    {"id": WU_GANG, **OPEN},  # an official: cases among the nodes
    {"id": HUABEI, **OPEN, "activeOn": "2019-06-30"},
    {"id": HUABEI, **OPEN, "types": ["HOLDS_SHARES"]},
    {"id": HUABEI, "depth": 1, "maxNodes": 2},  # truncated
    {"id": LI_NA, **OPEN, "types": ["BRANCH_OF"]},  # no such tie: the party alone
]
UNKNOWN = "91130100AAAAAAAAA" + (uscc_check_char("91130100AAAAAAAAA") or "")


def _alone(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(schema, "read_neighbours", lambda *args: None)


def _step_apart(monkeypatch: pytest.MonkeyPatch) -> None:
    """The first step read as before it was one statement: each ``explore/first_step_*`` read
    answered from ``party/by_id``, ``explore/expand_*`` from the party alone and, when the
    picture's rings are asked for, ``party/credit_summary`` (the reviewer's W1); no read
    begun early (it would begin the one statement)."""
    monkeypatch.setattr(prefetch, "STARTERS", {})
    read = Context.read
    directions = {query: direction for direction, query in FIRST_STEP_QUERY.items()}

    async def apart(self: Context, name: str, /, **params: Any) -> list[dict[str, Any]]:
        direction = directions.get(name)
        if direction is None:
            return await read(self, name, **params)
        party, summaries = params["id"], params["summaries"]
        found = await read(self, "party/by_id", ids=[party])
        if not found:
            return []
        step = {k: v for k, v in params.items() if k != "id"} | {"parties": [party], "cases": []}
        steps = await read(self, EXPAND_QUERY[direction], **step)
        credit = await read(self, "party/credit_summary", ids=[party]) if summaries else [None]
        return [{**found[0], "credit": credit[0] if credit else None, "steps": steps}]

    monkeypatch.setattr(Context, "read", apart)


@pytest.mark.parametrize("variables", VIEWS)
def test_the_network_is_one_read_and_answers_as_each_read_alone(
    api: Api, samples: Database, variables: dict[str, Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    one, one_reads = _reads(api, "NEIGHBOURS", variables)
    _alone(monkeypatch)
    alone, alone_reads = _reads(api, "NEIGHBOURS", variables)

    _step_apart(monkeypatch)
    apart, apart_reads = _reads(api, "NEIGHBOURS", variables)

    assert one == alone == apart and one["party"]["neighbours"]["__typename"] == "GraphView"
    assert one_reads == {FIRST: 1}  # before: party/card (the lookup) + explore/expand_both
    assert alone_reads == {"party/by_id": 1, FIRST: 1}
    assert FIRST not in apart_reads and apart_reads["explore/expand_both"] == 1


def test_a_network_cut_at_its_node_cap_says_so_through_the_one_read(
    api: Api, samples: Database
) -> None:
    data, reads = _reads(api, "NEIGHBOURS", {"id": HUABEI, "depth": 1, "maxNodes": 2})
    view = data["party"]["neighbours"]
    assert view["truncated"] and len(view["nodes"]) == 2  # the reviewer's W2
    assert reads == {FIRST: 1}


def test_the_sample_network_comes_through_the_one_read(api: Api, samples: Database) -> None:
    data, _ = _reads(api, "NEIGHBOURS", {"id": HUABEI, **OPEN})
    view = data["party"]["neighbours"]
    ids = {n["id"] for n in view["nodes"]}
    assert {HUABEI, HENGTAI, ZHANG_WEI, LIU_YANG} <= ids and not view["truncated"]
    [root] = [n for n in view["nodes"] if n["id"] == HUABEI]
    assert root["depth"] == 0 and root["party"]["creditReport"]["seriousDishonesty"]


def test_a_party_without_such_ties_is_drawn_alone(api: Api, samples: Database) -> None:
    data, reads = _reads(api, "NEIGHBOURS", {"id": LI_NA, **OPEN, "types": ["BRANCH_OF"]})
    view = data["party"]["neighbours"]
    assert [n["id"] for n in view["nodes"]] == [LI_NA] and view["edges"] == []
    assert reads == {FIRST: 1}


def test_a_second_hop_is_read_after_the_first_as_before(api: Api, samples: Database) -> None:
    data, reads = _reads(api, "NEIGHBOURS", {"id": LI_NA, "depth": 2, "maxNodes": 41})
    depths = {n["depth"] for n in data["party"]["neighbours"]["nodes"]}
    assert depths == {0, 1, 2}
    assert reads == {FIRST: 1, "explore/expand_both": 1}


def test_an_unknown_party_is_null_after_one_read(api: Api, samples: Database) -> None:
    data, reads = _reads(api, "NEIGHBOURS", {"id": UNKNOWN, **OPEN})
    assert data == {"party": None} and reads == {FIRST: 1}


def test_arguments_the_resolver_refuses_read_only_the_party(api: Api, samples: Database) -> None:
    data, reads = _reads(api, "NEIGHBOURS", {"id": HUABEI, "depth": 9, "maxNodes": 41})
    refused = data["party"]["neighbours"]
    assert refused["__typename"] == "InvalidInputError" and refused["argument"] == "depth"
    assert reads == {"party/by_id": 1}


# --- the statement against the ones it stands for -----------------------------------------

PARTIES = [HUABEI, HENGTAI, ZHANG_WEI, LIU_YANG, LI_NA, WU_GANG, ZHOU_JIE]
TYPES = [t.value for t in RelationType]


def _by_id(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return sorted(rows, key=lambda row: str(row["id"]))  # neither statement orders its rows


@pytest.mark.parametrize("direction", list(Direction))
@pytest.mark.parametrize("on", [None, date(2019, 6, 30)])
@pytest.mark.parametrize("summaries", [False, True])
@pytest.mark.parametrize("dated", [False, True])
def test_the_first_step_reads_what_the_lookup_the_step_and_the_summary_read(
    samples: Database, direction: Direction, on: date | None, summaries: bool, dated: bool
) -> None:
    reached = 0
    for party in PARTIES:
        first = samples.read_plain(
            FIRST_STEP_QUERY[direction],
            **first_step_params(party, TYPES, on, 41, summaries),
            dated=dated,
        )
        step = samples.read_plain(
            EXPAND_QUERY[direction],
            **expand_params([party], [], TYPES, on, 41, summaries),
            dated=dated,
        )
        [lookup] = samples.read_plain("party/by_id", ids=[party])
        [summary] = samples.read_plain("party/credit_summary", ids=[party])

        [row] = first
        assert {k: row[k] for k in ("id", "labels", "props")} == lookup
        assert row["credit"] == (summary if summaries else None)
        assert _by_id(row["steps"]) == _by_id(step)
        reached += len(step)
    assert reached  # not vacuous: the parties have such ties


def test_the_first_step_stops_where_the_step_stops(samples: Database) -> None:
    everything = samples.read_plain(
        "explore/expand_both", **expand_params([HUABEI], [], TYPES, None, 41), dated=False
    )
    [row] = samples.read_plain(FIRST, **first_step_params(HUABEI, TYPES, None, 1), dated=False)
    step = samples.read_plain(
        "explore/expand_both", **expand_params([HUABEI], [], TYPES, None, 1), dated=False
    )
    assert len(everything) > 5  # so that maxNodes 1 truncates (4 x 1 + 1 rows at most)
    assert len(row["steps"]) == len(step) == 5


def test_an_unknown_party_has_no_first_step(samples: Database) -> None:
    found = samples.read_plain(FIRST, **first_step_params(UNKNOWN, TYPES, None, 41), dated=False)
    assert found == []
