"""The registries' sample world as the analysis sees it: literal copies of the sample rows
(companies, persons, shareholdings, officers, branches, contacts, every record kind) mapped
to the input graph the way docs/model.md stores them. Nothing here reads the shared folder.
"""

from __future__ import annotations

from typing import Any

# Parties, by the short names the tests use.
HB = "91130102RG8E64XKKR"  # 石家庄华北建设工程有限公司 — listed dishonest debtor
HT = "91130104PQXR0QED47"  # 石家庄恒泰商贸有限公司 — 60% held by HB
RF = "91130105KPYPM8K9FG"  # 河北瑞丰食品有限公司 — 30% HB + 25% HT + 45% 王强
YX = "91130105W7MPX20P54"  # 石家庄永兴劳务派遣有限公司 — 赵敏 100%, legal rep, principal
LQ = "9213011071AQ7XXNXJ"  # 石家庄华北建设工程有限公司鹿泉分公司 — branch of HB
YY = "12130102BA4P8PL6T0"  # 石家庄市第三人民医院
CX = "91130108KFM0CD0N46"  # 石家庄诚信科技有限公司 — red list; 黄涛 100%
HD = "91130111WHGGB7XE3B"  # 河北宏达物流有限公司 — repaired tax violation
XY = "9113010487EQ4WYWRH"  # 石家庄鑫源贸易有限公司 — 王强 100%; shares HB's phone
COURT = "11130100AB1TNFBGPJ"  # 石家庄市中级人民法院
AGENCY = "11130105PRTX6W6GLA"  # 石家庄市新华区人力资源和社会保障局
ZHANG_WEI = "130102197203158350"
LI_NA = "130104198007224880"
WANG_QIANG = "130105198501094897"
LIU_YANG = "130102196508301272"
CHEN_JING = "130111197804120864"
YANG_LEI = "130111198309187054"
ZHAO_MIN = "130105196902052701"
HUANG_TAO = "130108200106111975"
ZHOU_JIE = "13010019750101415X"
WU_GANG = "130105196805205059"

BRIBERY_CASE = "(2022)冀0105刑初78号"  # full-width brackets in cases.csv, normalised
XINHUA_COURT = "石家庄市新华区人民法院"


def _conviction(party: str, role: str) -> dict[str, Any]:
    """A party of the bribery case, as the reader hands it over (start = closed_on)."""
    return {
        "record_key": f"bribery_conviction:{BRIBERY_CASE}|{party}",
        "kind": "bribery_conviction",
        "ref": BRIBERY_CASE,
        "role": role,
        "start": "2022-11-30",
        "authority": XINHUA_COURT,
    }


RECORDS: dict[str, list[dict[str, Any]]] = {
    HB: [  # dishonest_debtors.csv (GB18030)
        {"kind": "dishonest_debtor", "ref": f"(2021)冀01执456号|{HB}", "start": "2021-06-01",
         "end": None, "authority": "石家庄市中级人民法院"},
    ],
    HD: [  # tax_violations.csv + record_updates.csv (repaired 2024-01-10)
        {"kind": "tax_violation", "ref": "SW-130111-2022-003", "start": "2022-03-15",
         "end": "2025-03-15", "voided_on": "2024-01-10", "status": "repaired",
         "authority": "国家税务总局石家庄市栾城区税务局",
         "named_legal_rep_id": CHEN_JING, "named_finance_officer_id": YANG_LEI},
    ],
    YY: [  # admin_penalties.csv
        {"kind": "admin_penalty", "ref": "石卫医罚〔2023〕12号", "severity": "serious",
         "domain": "medical", "start": "2023-07-19", "end": "2026-07-19",
         "authority": "石家庄市卫生健康委员会"},
    ],
    RF: [
        {"kind": "admin_penalty", "ref": "石市监食罚〔2024〕88号", "severity": "general",
         "domain": "food_drug", "start": "2024-03-02", "end": "2025-03-02",
         "authority": "石家庄市市场监督管理局"},
    ],
    YX: [  # blacklists.csv
        {"kind": "blacklist", "ref": "QX-130105-2023-011", "list": "wage_arrears",
         "start": "2023-05-01", "end": "2026-05-01",
         "authority": "石家庄市新华区人力资源和社会保障局"},
    ],
    HUANG_TAO: [
        {"kind": "blacklist", "ref": "WL-2024-0309", "list": "internet", "start": "2024-09-01",
         "end": "2027-09-01", "authority": "石家庄市互联网信息办公室"},
    ],
    CX: [  # red_list.csv
        {"kind": "red_list", "ref": "A-2025-130108-0042", "list": "a_grade_taxpayer",
         "start": "2025-01-01", "end": "2027-12-31",
         "authority": "国家税务总局石家庄市裕华区税务局"},
    ],
    WU_GANG: [  # official_records.csv, interventions.csv, case_parties.csv
        {"kind": "official_record", "ref": "GWY-2022-0007", "category": "discipline",
         "start": "2022-10-15", "end": "2024-04-15", "authority": "石家庄市新华区纪委监委"},
        {"kind": "intervention", "ref": "GY-2021-0031", "category": "intervention",
         "start": "2021-04-02"},
        _conviction(WU_GANG, "bribe_taker"),
    ],
    ZHOU_JIE: [
        {"kind": "official_record", "ref": "GWY-2023-0102", "category": "appraisal",
         "start": "2023-12-31", "authority": "石家庄市中级人民法院"},
    ],
    ZHAO_MIN: [_conviction(ZHAO_MIN, "briber")],
}  # fmt: skip

COMPANIES = {
    HB: "石家庄华北建设工程有限公司",
    HT: "石家庄恒泰商贸有限公司",
    RF: "河北瑞丰食品有限公司",
    YX: "石家庄永兴劳务派遣有限公司",
    LQ: "石家庄华北建设工程有限公司鹿泉分公司",
    YY: "石家庄市第三人民医院",
    CX: "石家庄诚信科技有限公司",
    HD: "河北宏达物流有限公司",
    XY: "石家庄鑫源贸易有限公司",
    COURT: "石家庄市中级人民法院",
    AGENCY: "石家庄市新华区人力资源和社会保障局",
}
PERSONS = {
    ZHANG_WEI: "张伟",
    LI_NA: "李娜",
    WANG_QIANG: "王强",
    LIU_YANG: "刘洋",
    CHEN_JING: "陈静",
    YANG_LEI: "杨磊",
    ZHAO_MIN: "赵敏",
    HUANG_TAO: "黄涛",
    ZHOU_JIE: "周杰",
    WU_GANG: "吴刚",
}

# companies.csv legal_rep_id → LEGAL_REP_OF
LEGAL_REPS = [
    (ZHANG_WEI, HB), (LI_NA, HT), (WANG_QIANG, RF), (ZHAO_MIN, YX), (WANG_QIANG, LQ),
    (LIU_YANG, YY), (HUANG_TAO, CX), (CHEN_JING, HD), (WANG_QIANG, XY),
]  # fmt: skip
# shareholdings.csv: holder, company, stake_pct, since
SHAREHOLDINGS = [
    (LIU_YANG, HB, 70, "2008-04-12"),
    (ZHANG_WEI, HB, 30, "2008-04-12"),
    (HB, HT, 60, "2015-09-01"),
    (LI_NA, HT, 40, "2015-09-01"),
    (HB, RF, 30, "2012-03-20"),
    (HT, RF, 25, "2016-01-01"),
    (WANG_QIANG, RF, 45, "2012-03-20"),
    (WANG_QIANG, XY, 100, "2020-08-08"),
    (HUANG_TAO, CX, 100, "2019-02-14"),
    (CHEN_JING, HD, 80, "2011-07-07"),
    (YANG_LEI, HD, 20, "2011-07-07"),
    (ZHAO_MIN, YX, 100, "2017-11-11"),
]
# officers.csv: person, company, role, since
OFFICERS = [
    (ZHANG_WEI, HB, "chair", "2008-04-12"),
    (WANG_QIANG, HB, "manager", "2014-01-01"),
    (LIU_YANG, HB, "actual_controller", "2008-04-12"),
    (YANG_LEI, HD, "finance_officer", "2011-07-07"),
    (WANG_QIANG, RF, "chair", "2012-03-20"),
    (ZHAO_MIN, YX, "principal", "2017-11-11"),
]


def parties() -> list[dict[str, Any]]:
    """Every party of the sample world with its records."""
    kinds = [("company", COMPANIES), ("person", PERSONS)]
    return [
        {"party_id": p, "kind": kind, "name": n, "records": RECORDS.get(p, [])}
        for kind, named in kinds
        for p, n in named.items()
    ]


def relationships() -> list[dict[str, Any]]:
    """Every relationship the rules and the peripheral risk follow."""
    found: list[dict[str, Any]] = [
        {"type": "LEGAL_REP_OF", "source": p, "target": c} for p, c in LEGAL_REPS
    ]
    found += [
        {"type": "HOLDS_SHARES", "source": h, "target": c, "stake_pct": s, "since": since}
        for h, c, s, since in SHAREHOLDINGS
    ]
    found += [
        {"type": "OFFICER_OF", "source": p, "target": c, "role": r, "since": since}
        for p, c, r, since in OFFICERS
    ]
    found.append({"type": "BRANCH_OF", "source": LQ, "target": HB})  # branches.csv
    # contacts.jsonl: "0311-8666 1234" and "(0311)86661234" normalise to one phone
    found.append(
        {"type": "SHARES_CONTACT", "source": HB, "target": XY, "via": "phone:031186661234"}
    )
    return found
