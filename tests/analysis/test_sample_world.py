"""The registries' sample world: every measure, worked out by hand from the policy.

As of 2026-11-26 (records end-exclusive; ``until`` = last day):

* 华北建设 (HB): listed dishonest debtor since 2021-06-01, not removed → dishonest_debtor.
* R1 from HB's listing: 张伟 (legal rep; his 30% is no control) and 刘洋 (70% holder and
  actual controller) → high_consumption_ban + officer_ban. 王强 is HB's manager (not a
  principal) and the branch's 负责人 (the branch's listing is derived) → nothing.
* R3: listed = HB, 黄涛 (internet blacklist to 2027-09-01), 赵敏 (briber, case closed
  2022-11-30 → active to 2027-11-29), the branch 鹿泉 (branch of HB). 恒泰 (HB 60%) is
  listed-controlled; 瑞丰: HB 30% + 恒泰 25% in full = 55% ≥ 50 → listed-controlled (two
  contributions); 诚信科技 (黄涛 100%) and 永兴 (赵敏 100%) too, until their holder's record
  ends. 鑫源 (王强 100%) and 宏达 are not.
* R4: 鹿泉分公司 inherits HB's dishonest_debtor with the branch link.
* R5: 永兴 — 赵敏 is its legal rep (and 100% holder) → bidding_ban to 2027-11-29.
* 永兴's wage-arrears blacklist ended 2026-05-01; 瑞丰's general penalty ended 2025-03-02;
  the hospital's serious penalty ended 2026-07-19 → nothing.
* 宏达's tax violation was repaired on 2024-01-10 (and ended 2025-03-15) → no R2 for 陈静/杨磊.
* 吴刚: bribe_taker → a violation record to 2027-11-29 → official_discipline and R6
  promotion_review. His intervention of 2021-04-02 is outside the last five years (the window
  ended 2026-04-01); his discipline record expired 2024-04-15.
* 周杰: an appraisal only → nothing. 诚信科技: red-listed, but enhanced_supervision → no
  fast track; on 2027-12-01, 黄涛's blacklist has ended and it is fast-tracked.
"""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest

from graph_service.analysis import build_graph, propagate
from graph_service.policy import Outcome, default_catalog
from tests.analysis.sample_world import (
    CHEN_JING,
    CX,
    HB,
    HD,
    HT,
    HUANG_TAO,
    LI_NA,
    LIU_YANG,
    LQ,
    RF,
    WANG_QIANG,
    WU_GANG,
    XY,
    YANG_LEI,
    YX,
    YY,
    ZHANG_WEI,
    ZHAO_MIN,
    ZHOU_JIE,
    parties,
    relationships,
)

AS_OF = date(2026, 11, 26)
DD = f"dishonest_debtor:(2021)冀01执456号|{HB}"
WL = "blacklist:WL-2024-0309"
ZM = f"bribery_conviction:(2022)冀0105刑初78号|{ZHAO_MIN}"
WG = f"bribery_conviction:(2022)冀0105刑初78号|{WU_GANG}"
BRIBE_END = date(2027, 11, 29)

# party, measure, rule, origin record, path as (party, relation, stake), until
EXPECTED = [
    (HB, "dishonest_debtor", None, DD, [(HB, None, None)], None),
    (ZHANG_WEI, "high_consumption_ban", "R1", DD,
     [(HB, None, None), (ZHANG_WEI, "LEGAL_REP_OF", None)], None),
    (ZHANG_WEI, "officer_ban", "R1", DD, [(HB, None, None), (ZHANG_WEI, "LEGAL_REP_OF", None)],
     None),
    (LIU_YANG, "high_consumption_ban", "R1", DD,
     [(HB, None, None), (LIU_YANG, "HOLDS_SHARES", 70.0)], None),
    (LIU_YANG, "officer_ban", "R1", DD, [(HB, None, None), (LIU_YANG, "HOLDS_SHARES", 70.0)],
     None),
    (HT, "enhanced_supervision", "R3", DD, [(HB, None, None), (HT, "HOLDS_SHARES", 60.0)], None),
    (RF, "enhanced_supervision", "R3", DD,
     [(HB, None, None), (HT, "HOLDS_SHARES", 60.0), (RF, "HOLDS_SHARES", 25.0)], None),
    (RF, "enhanced_supervision", "R3", DD, [(HB, None, None), (RF, "HOLDS_SHARES", 30.0)], None),
    (LQ, "dishonest_debtor", "R4", DD, [(HB, None, None), (LQ, "BRANCH_OF", None)], None),
    (HUANG_TAO, "blacklist", None, WL, [(HUANG_TAO, None, None)], date(2027, 8, 31)),
    (CX, "enhanced_supervision", "R3", WL,
     [(HUANG_TAO, None, None), (CX, "HOLDS_SHARES", 100.0)], date(2027, 8, 31)),
    (ZHAO_MIN, "briber_conviction", None, ZM, [(ZHAO_MIN, None, None)], BRIBE_END),
    (YX, "bidding_ban", "R5", ZM, [(ZHAO_MIN, None, None), (YX, "LEGAL_REP_OF", None)],
     BRIBE_END),
    (YX, "enhanced_supervision", "R3", ZM,
     [(ZHAO_MIN, None, None), (YX, "HOLDS_SHARES", 100.0)], BRIBE_END),
    (WU_GANG, "official_discipline", None, WG, [(WU_GANG, None, None)], BRIBE_END),
    (WU_GANG, "promotion_review", "R6", WG, [(WU_GANG, None, None)], BRIBE_END),
]  # fmt: skip
WITHOUT_MEASURES = [LI_NA, WANG_QIANG, CHEN_JING, YANG_LEI, ZHOU_JIE, HD, YY, XY]


@pytest.fixture(scope="module")
def graph() -> nx.MultiDiGraph[str]:
    return build_graph(parties(), relationships())


def _rows(graph: nx.MultiDiGraph[str], as_of: date) -> list[tuple[object, ...]]:
    result = propagate(graph, default_catalog(), as_of)
    return [
        (m.party_id, m.measure, m.rule, m.record.record_key,
         [(h.party_id, h.relation, h.stake_pct) for h in m.path], m.until)
        for ms in result.measures.values() for m in ms
    ]  # fmt: skip


def test_every_measure_as_of_2026_11_26(graph: nx.MultiDiGraph[str]) -> None:
    assert sorted(_rows(graph, AS_OF), key=repr) == sorted(EXPECTED, key=repr)


def test_parties_without_measures(graph: nx.MultiDiGraph[str]) -> None:
    found = propagate(graph, default_catalog(), AS_OF).measures
    assert not set(WITHOUT_MEASURES) & set(found)


@pytest.mark.parametrize(
    ("party", "context", "outcome"),
    [
        (HB, "bidding", Outcome.DENY),
        (HB, "financing", Outcome.RESTRICT),
        (LQ, "government_procurement", Outcome.DENY),  # the branch is treated as its parent
        (ZHANG_WEI, "high_consumption", Outcome.DENY),
        (ZHANG_WEI, "officer_appointment", Outcome.DENY),
        (ZHANG_WEI, "bidding", Outcome.ALLOW),
        (RF, "license_approval", Outcome.REVIEW),
        (RF, "civil_service_hiring", Outcome.ALLOW),
        (YX, "government_procurement", Outcome.DENY),
        (YX, "land_supply", Outcome.REVIEW),
        (CX, "license_approval", Outcome.REVIEW),
        (CX, "civil_service_hiring", Outcome.ALLOW),  # red-listed but has a measure
        (WU_GANG, "promotion", Outcome.REVIEW),
        (WU_GANG, "honours", Outcome.DENY),
        (HUANG_TAO, "civil_service_hiring", Outcome.REVIEW),
        (HD, "bidding", Outcome.ALLOW),
        (ZHAO_MIN, "land_supply", Outcome.RESTRICT),
    ],
)
def test_decisions(graph: nx.MultiDiGraph[str], party: str, context: str, outcome: Outcome) -> None:
    assert propagate(graph, default_catalog(), AS_OF).decision(party, context) is outcome


def test_earlier_date_sees_the_intervention_and_the_wage_blacklist(
    graph: nx.MultiDiGraph[str],
) -> None:
    rows = {(r[0], r[1], r[3], r[5]) for r in _rows(graph, date(2026, 4, 1))}
    assert (WU_GANG, "promotion_review", "intervention:GY-2021-0031", date(2026, 4, 1)) in rows
    assert (YX, "blacklist", "blacklist:QX-130105-2023-011", date(2026, 4, 30)) in rows
    assert (
        YY,
        "admin_penalty_serious",
        "admin_penalty:石卫医罚〔2023〕12号",
        date(2026, 7, 18),
    ) in rows
    later = {(r[0], r[1], r[3]) for r in _rows(graph, date(2026, 4, 2))}
    assert (WU_GANG, "promotion_review", "intervention:GY-2021-0031") not in later


def test_red_list_fast_track_once_the_blacklist_has_ended(graph: nx.MultiDiGraph[str]) -> None:
    result = propagate(graph, default_catalog(), date(2027, 12, 1))
    assert CX not in result.measures and CX in result.red_listed
    assert result.decision(CX, "license_approval") is Outcome.FAST_TRACK
    assert set(result.measures) == {HB, ZHANG_WEI, LIU_YANG, HT, RF, LQ}


def test_peripheral_risk(graph: nx.MultiDiGraph[str]) -> None:
    risk = propagate(graph, default_catalog(), AS_OF).risk
    assert risk[HB] == risk[HUANG_TAO] == risk[ZHAO_MIN] == 1.0
    assert risk[ZHANG_WEI] == risk[LIU_YANG] == risk[HT] == risk[LQ] == 0.5
    assert risk[WANG_QIANG] == 0.4  # HB's manager: 0.5 × 0.8 beats the branch's legal rep
    assert risk[XY] == 0.25  # shares HB's phone: 0.5 × 0.5
    assert risk[YY] == 0.25  # 刘洋 is its legal representative
    assert HD not in risk and WU_GANG not in risk  # a bribe taker is no serious record
