"""Walking the sample world: neighbourhoods, paths, ownership penetration, controllers.

Expected values are computed by hand from tests/fixtures/registries/shareholdings.csv and
officers.csv (see the comments).
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from graph_service.db import Database
from graph_service.gql import limits
from graph_service.gql.relations import SHORTEST_PATHS_QUERY
from graph_service.queries import get_registry
from tests.graphql.conftest import (
    ENFORCEMENT_CASE,
    HENGTAI,
    HUABEI,
    LI_NA,
    LIU_YANG,
    RUIFENG,
    WANG_QIANG,
    ZHANG_WEI,
    Api,
)

pytestmark = pytest.mark.neo4j

NEIGHBOURS = """
query ($id: String!, $depth: Int!, $max: Int!, $types: [RelationType!], $on: Date,
       $direction: Direction!) {
  party(id: $id) { ... on Party {
    neighbours(depth: $depth, maxNodes: $max, types: $types, activeOn: $on,
               direction: $direction) {
      ... on GraphView { truncated nodes { id kind label depth }
                         edges { source target type label inferred active } }
      ... on InvalidInputError { argument message }
    } } }
}"""


def _neighbours(api: Api, **variables: Any) -> dict[str, Any]:
    values = {
        "id": HUABEI,
        "depth": 1,
        "max": 100,
        "types": None,
        "on": None,
        "direction": "BOTH",
        **variables,
    }
    return api.data(NEIGHBOURS, values)["party"]["neighbours"]  # type: ignore[no-any-return]


def test_one_hop_neighbourhood_draws_every_tie(api: Api, samples: Database) -> None:
    view = _neighbours(api)
    ids = {n["id"] for n in view["nodes"]}
    assert ids == {
        HUABEI,
        ZHANG_WEI,
        WANG_QIANG,
        LIU_YANG,
        HENGTAI,
        RUIFENG,
        "9213011071AQ7XXNXJ",  # branch
        "9113010487EQ4WYWRH",  # shares a phone number
        "(2020)冀01民初123号",
        ENFORCEMENT_CASE,
    }
    # every edge names two drawn nodes: a viewer can draw it directly
    assert all(e["source"] in ids and e["target"] in ids for e in view["edges"])
    assert len(view["edges"]) == 12 and view["truncated"] is False
    edges = {(e["source"], e["target"], e["type"], e["label"]) for e in view["edges"]}
    assert (LIU_YANG, HUABEI, "HOLDS_SHARES", "70%") in edges
    assert (LIU_YANG, HUABEI, "OFFICER_OF", "actual_controller") in edges
    shared = [e for e in view["edges"] if e["type"] == "SHARES_CONTACT"]
    assert [e["inferred"] for e in shared] == [True]
    kinds = {n["id"]: n["kind"] for n in view["nodes"]}
    assert (kinds[HUABEI], kinds[ZHANG_WEI], kinds[ENFORCEMENT_CASE]) == (
        "company",
        "person",
        "case",
    )


def test_neighbourhood_filters_types_and_dates_and_caps_nodes(api: Api, samples: Database) -> None:
    holdings = _neighbours(api, types=["HOLDS_SHARES"], depth=2)
    assert {n["id"] for n in holdings["nodes"]} == {
        HUABEI,
        LIU_YANG,
        ZHANG_WEI,
        HENGTAI,
        RUIFENG,
        LI_NA,
        WANG_QIANG,
    }
    # on 2015-06-01 HUABEI did not yet hold HENGTAI (since 2015-09-01)
    before = _neighbours(api, types=["HOLDS_SHARES"], on="2015-06-01")
    assert HENGTAI not in {n["id"] for n in before["nodes"]}
    capped = _neighbours(api, depth=2, max=5)
    assert len(capped["nodes"]) == 5 and capped["truncated"] is True


def test_neighbourhood_follows_the_stored_direction(api: Api, samples: Database) -> None:
    owned = _neighbours(api, types=["HOLDS_SHARES"], direction="OUT")
    assert {n["id"] for n in owned["nodes"]} == {HUABEI, HENGTAI, RUIFENG}
    owners = _neighbours(api, types=["HOLDS_SHARES"], direction="IN")
    assert {n["id"] for n in owners["nodes"]} == {HUABEI, LIU_YANG, ZHANG_WEI}


def test_neighbourhood_depth_is_capped_with_a_typed_error(api: Api, samples: Database) -> None:
    assert _neighbours(api, depth=4) == {
        "argument": "depth",
        "message": "must be between 1 and 3, got 4",
    }
    assert _neighbours(api, max=501)["argument"] == "maxNodes"


PATHS = """
query ($id: String!, $to: String!, $hops: Int!) {
  party(id: $id) { ... on Party { paths(to: $to, maxHops: $hops) {
    ... on Connections { length truncated
      paths { length nodes { id } edges { type source target } }
      view { nodes { id } edges { id } } }
    ... on InvalidInputError { argument message } } } }
}"""


def test_all_shortest_paths_between_two_persons(api: Api, samples: Database) -> None:
    found = api.data(PATHS, {"id": LI_NA, "to": LIU_YANG, "hops": 6})["party"]["paths"]
    # 李娜 (40% holder and legal representative) - 恒泰 <-60%- 华北建设 - 刘洋 (70% holder and
    # actual controller): 2 × 2 shortest paths of three hops through the same parties
    assert found["length"] == 3
    assert [[n["id"] for n in p["nodes"]] for p in found["paths"]] == [
        [LI_NA, HENGTAI, HUABEI, LIU_YANG]
    ] * 4
    hops = {(p["edges"][0]["type"], p["edges"][2]["type"]) for p in found["paths"]}
    assert hops == {
        (first, last)
        for first in ("HOLDS_SHARES", "LEGAL_REP_OF")
        for last in ("HOLDS_SHARES", "OFFICER_OF")
    }
    assert len(found["view"]["nodes"]) == 4 and len(found["view"]["edges"]) == 5


def test_paths_beyond_max_hops_are_none_and_bad_targets_typed(api: Api, samples: Database) -> None:
    api.db.query_counts.clear()
    short = api.data(PATHS, {"id": LI_NA, "to": LIU_YANG, "hops": 2})["party"]["paths"]
    assert (short["length"], short["paths"]) == (None, [])
    # the search itself was bounded at two hops (not bounded at six and filtered)
    assert [n for n in api.db.query_counts if n.startswith("explore/")] == [
        "explore/shortest_paths_2"
    ]
    exact = api.data(PATHS, {"id": LI_NA, "to": LIU_YANG, "hops": 3})["party"]["paths"]
    assert exact["length"] == 3 and len(exact["paths"]) == 4
    near = api.data(PATHS, {"id": LI_NA, "to": HUABEI, "hops": 2})["party"]["paths"]
    assert near["length"] == 2  # 李娜 - 恒泰 - 华北建设
    assert {len(p["edges"]) for p in near["paths"]} == {2}
    too_far = api.data(PATHS, {"id": LI_NA, "to": LIU_YANG, "hops": 7})["party"]["paths"]
    assert too_far["argument"] == "maxHops"
    itself = api.data(PATHS, {"id": LI_NA, "to": LI_NA, "hops": 3})["party"]["paths"]
    assert itself == {"argument": "to", "message": "is the party itself"}


def test_the_shortest_path_queries_differ_only_in_their_bound() -> None:
    names = [SHORTEST_PATHS_QUERY[n] for n in range(1, limits.MAX_PATH_HOPS + 1)]
    queries = [get_registry()[name].text for name in names]
    assert all(f"){{1,{n}}} (b)" in q for n, q in enumerate(queries, start=1))
    bounds = re.compile(r"\)\{1,[1-6]\} \(b\)")
    assert len({bounds.sub("BOUND", q) for q in queries}) == 1
    assert sorted(SHORTEST_PATHS_QUERY) == list(range(1, limits.MAX_PATH_HOPS + 1))


TREE = """
query ($id: String!, $dir: OwnershipDirection!, $depth: Int!, $on: Date) {
  party(id: $id) { ... on Party { ownershipTree(direction: $dir, depth: $depth, activeOn: $on) {
    ... on OwnershipTree { truncated
      entries { chain stakePct effectivePct depth parentId }
      effective { party { id } effectivePct chains } }
    ... on InvalidInputError { argument } } } }
}"""


def _tree(
    api: Api, party: str, direction: str = "UP", depth: int = 3, on: str | None = None
) -> dict[str, Any]:
    variables = {"id": party, "dir": direction, "depth": depth, "on": on}
    return api.data(TREE, variables)["party"]["ownershipTree"]  # type: ignore[no-any-return]


def test_effective_stakes_multiply_along_chains(api: Api, samples: Database) -> None:
    tree = _tree(api, RUIFENG)
    effective = {e["party"]["id"]: (e["effectivePct"], e["chains"]) for e in tree["effective"]}
    # 瑞丰 is held 45% by 王强, 30% by 华北建设 and 25% by 恒泰; 恒泰 is 60% 华北建设 and
    # 40% 李娜; 华北建设 is 70% 刘洋 and 30% 张伟:
    assert effective == {
        WANG_QIANG: (45.0, 1),
        HUABEI: (30 + 25 * 0.60, 2),  # 45: directly and through 恒泰
        LIU_YANG: (pytest.approx(0.70 * 45), 2),  # 31.5
        HENGTAI: (25.0, 1),
        ZHANG_WEI: (pytest.approx(0.30 * 45), 2),  # 13.5
        LI_NA: (pytest.approx(0.40 * 25), 1),  # 10
    }
    # the tree reads depth first, larger stakes first
    assert [e["chain"][-1] for e in tree["entries"][:4]] == [
        WANG_QIANG,
        HUABEI,
        LIU_YANG,
        ZHANG_WEI,
    ]
    assert tree["entries"][2] == {
        "chain": [RUIFENG, HUABEI, LIU_YANG],
        "stakePct": 70.0,
        "effectivePct": 21.0,
        "depth": 2,
        "parentId": HUABEI,
    }


def test_ownership_tree_is_as_of_a_date_and_goes_down_too(api: Api, samples: Database) -> None:
    before = _tree(api, RUIFENG, on="2015-12-31")  # 恒泰 bought its 25% on 2016-01-01
    assert HENGTAI not in {e["party"]["id"] for e in before["effective"]}
    down = _tree(api, LIU_YANG, "DOWN", depth=3)
    effective = {e["party"]["id"]: e["effectivePct"] for e in down["effective"]}
    assert effective[HUABEI] == 70.0
    assert effective[HENGTAI] == pytest.approx(42.0)
    assert effective[RUIFENG] == pytest.approx(0.7 * 30 + 0.7 * 0.6 * 25)
    assert _tree(api, RUIFENG, depth=7) == {"argument": "depth"}


CONTROLLERS = """
query ($id: String!) { party(id: $id) { ... on Company {
  actualControllers { ultimate party { id }
    chains { relations stakePct controller { id } controlled { id } } }
  beneficialOwners { ... on BeneficialOwnership {
    owners { party { id } effectivePct controls ownershipChains } } } } } }"""


def test_actual_controllers_with_the_chains_that_make_them(api: Api, samples: Database) -> None:
    company = api.data(CONTROLLERS, {"id": HENGTAI})["party"]
    controllers = {c["party"]["id"]: c for c in company["actualControllers"]}
    assert set(controllers) == {HUABEI, LIU_YANG}
    # 华北建设 holds 60% (> 50%) of 恒泰
    assert controllers[HUABEI]["ultimate"] is False
    assert controllers[HUABEI]["chains"] == [
        [
            {
                "relations": ["HOLDS_SHARES"],
                "stakePct": 60.0,
                "controller": {"id": HUABEI},
                "controlled": {"id": HENGTAI},
            }
        ]
    ]
    # 刘洋 holds 70% of 华北建设 and is its actual controller: controls 恒泰 through it
    (chain,) = controllers[LIU_YANG]["chains"]
    assert [(h["controller"]["id"], h["relations"]) for h in chain] == [
        (LIU_YANG, ["ACTUAL_CONTROLLER", "HOLDS_SHARES"]),
        (HUABEI, ["HOLDS_SHARES"]),
    ]
    assert controllers[LIU_YANG]["ultimate"] is True
    # nobody holds more than 50% of 瑞丰: no controller
    assert api.data(CONTROLLERS, {"id": RUIFENG})["party"]["actualControllers"] == []


def test_beneficial_owners_by_effective_stake_or_control(api: Api, samples: Database) -> None:
    owners = api.data(CONTROLLERS, {"id": HENGTAI})["party"]["beneficialOwners"]["owners"]
    # 刘洋 70% × 60% = 42% and controls; 李娜 40% directly; 张伟 30% × 60% = 18% < 25%
    assert [(o["party"]["id"], o["effectivePct"], o["controls"]) for o in owners] == [
        (LIU_YANG, pytest.approx(42.0), True),
        (LI_NA, 40.0, False),
    ]
    assert owners[0]["ownershipChains"] == [[HENGTAI, HUABEI, LIU_YANG]]
