"""Names, industries and addresses of the companies, once the ownership plan is known.

Group members carry their root's brand (华北控股集团 → 华北物流有限公司), branches their
parent's name, so that a reader of the demo data sees the groups the graph should find.
Names are unique, as a registration authority would insist.
"""

from __future__ import annotations

from graph_service.synthetic.base import District, World, pick
from graph_service.synthetic.data import (
    BRAND_HEADS,
    BRAND_TAILS,
    COMMUNITIES,
    COMPANY_SUFFIXES,
    INDUSTRIES,
    INSTITUTIONS,
    INVESTMENT,
    SHOP_KINDS,
    SOCIAL_ORGS,
    STREETS,
)
from graph_service.synthetic.plan import Plan

HOSPITALS = ("人民医院", "中医医院", "妇幼保健院", "第一医院", "第二医院", "口腔医院", "康复医院")
SCHOOLS = (
    "实验小学",
    "第一中学",
    "第二中学",
    "实验中学",
    "职业技术学校",
    "外国语学校",
    "第三中学",
    "中心小学",
)
GROUP_WORDS = ("控股集团", "实业集团", "集团")
# Share of companies registered at one of a few business-centre addresses per district
# (集中登记地), so that unrelated companies share an address, as in real annual reports.
SHARED_ADDRESS_SHARE = 0.03


def brand(world: World) -> str:
    """A two-character trade name such as 恒泰 or 鑫源."""
    return pick(world.rng, BRAND_HEADS) + pick(world.rng, BRAND_TAILS)


def short_place(world: World, district: District) -> str:
    """The place word in front of a company name: city, province, or none."""
    roll = world.rng.random()
    if roll < 0.7:
        return district.city.name.removesuffix("市")
    return district.city.province if roll < 0.9 else ""


def name_companies(world: World, plan: Plan) -> None:
    """Fills in names, industries and addresses of every company that has none yet."""
    used = set(world.company_names)
    brands = {root: brand(world) for root in sorted(set(plan.root_of.values()))}
    # A root whose group kept no other member (tiny worlds) is named like any enterprise.
    roots = {root for member, root in plan.root_of.items() if member != root}
    world.company_industry = [""] * world.n_companies
    for index in range(world.n_companies):
        if world.company_names[index] or index in plan.branch_parent:
            continue
        name, industry = _name(world, plan, brands, index, index in roots)
        world.company_names[index] = _unique(world, used, name, index)
        world.company_industry[index] = industry
    for branch, parent in plan.branch_parent.items():
        name = world.company_names[parent] + _district_word(world.party_district(branch)) + "分公司"
        world.company_names[branch] = _unique(world, used, name, branch)
        world.company_industry[branch] = world.company_industry[parent]
    world.company_address = [_address(world, i) for i in range(world.n_companies)]


def _name(
    world: World, plan: Plan, brands: dict[int, str], index: int, is_root: bool
) -> tuple[str, str]:
    kind, district = world.company_kinds[index], world.party_district(index)
    if kind != "enterprise":
        return _institution_name(world, kind, district)
    root = plan.root_of.get(index)
    place = short_place(world, district)
    if is_root:
        return place + brands[index] + pick(world.rng, GROUP_WORDS) + "有限公司", "商务服务业"
    word, industry = INDUSTRIES[world.below(len(INDUSTRIES))]
    if index in plan.investors:
        word, industry = INVESTMENT[world.below(len(INVESTMENT))]
    own = brands[root] if root is not None and world.chance(0.7) else brand(world)
    return place + own + word + pick(world.rng, COMPANY_SUFFIXES), industry


def _institution_name(world: World, kind: str, district: District) -> tuple[str, str]:
    place = district.full_name
    if kind == "individual_business":
        return place + brand(world) + pick(world.rng, SHOP_KINDS), "批发和零售业"
    if kind == "hospital":
        return place + pick(world.rng, HOSPITALS), "卫生"
    if kind == "school":
        return place + pick(world.rng, SCHOOLS), "教育"
    if kind == "institution":
        return district.city.name + pick(world.rng, INSTITUTIONS), "公共管理"
    return district.city.name + brand(world) + pick(world.rng, SOCIAL_ORGS), "社会组织"


def _unique(world: World, used: set[str], name: str, index: int) -> str:
    """``name``, or a variant with the district (then a number) when it is taken."""
    if name in used:
        place = world.party_district(index).name
        name = next(
            c for c in (_variant(name, place, n) for n in range(1, 10_000)) if c not in used
        )
    used.add(name)
    return name


def _variant(name: str, place: str, n: int) -> str:
    # Insert the district before the legal-form suffix: 华北物流(长安)有限公司 style is what
    # registrars do for same-name companies in another district.
    for suffix in ("有限责任公司", "股份有限公司", "有限公司", "分公司"):
        if name.endswith(suffix):
            stem = name[: -len(suffix)]
            return f"{stem}（{place}{n if n > 1 else ''}）{suffix}"
    return f"{name}（{place}{n if n > 1 else ''}）"


def _district_word(district: District) -> str:
    """鹿泉区 → 鹿泉, 浦东新区 → 浦东: how branch names shorten a district."""
    name = district.name
    return name[:-2] if name.endswith("新区") else name[:-1] if len(name) > 2 else name


def _address(world: World, index: int) -> str:
    district = world.party_district(index)
    if world.chance(SHARED_ADDRESS_SHARE):
        centre = world.below(3)
        return f"{district.full_name}{STREETS[centre]}{centre + 1}号商务中心{world.between(1, 3)}层"
    street, number = pick(world.rng, STREETS), world.between(1, 999)
    if world.chance(0.4):  # an office in a tower that houses other companies too
        return f"{district.full_name}{street}{number}号{world.between(2, 30)}层"
    return f"{district.full_name}{street}{number}号"


def person_address(world: World, person: int) -> str:
    """A home address in the person's district."""
    district = world.districts[world.person_district[person]]
    building, unit, room = world.between(1, 30), world.between(1, 6), world.between(101, 2802)
    return f"{district.full_name}{pick(world.rng, COMMUNITIES)}小区{building}号楼{unit}单元{room}室"
