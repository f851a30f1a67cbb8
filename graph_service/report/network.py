"""The network picture of a report: the party and its related parties, as an SVG (pure).

Drawn on the server from the report's related-party rows (the same rows the tables list),
so the PDF needs no browser: the party in the centre, every related party on an ellipse
around it, one edge per party labelled with every tie it has (legal representative, stake,
role, controller …). Companies are squares, persons circles (as 股权穿透图 draw them);
inferred links (shared contacts, 疑似关联) are dashed. At most :data:`MAX_NODES` parties are
drawn, the strongest ties first; the picture says how many more the tables list.

>>> svg = network_svg({"party_id": "C", "kind": "company", "name": "华北建设"},
...                   [Link({"party_id": "P", "kind": "person", "name": "张伟"}, "法定代表人")])
>>> svg.startswith("<svg") and "张伟" in svg and "<circle" in svg
True
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from html import escape
from typing import Any, Final

#: The most related parties drawn; more would be unreadable on an A4 page.
MAX_NODES: Final = 24
WIDTH: Final = 680
HEIGHT: Final = 380
#: Characters of a name drawn under its node (the tables carry the whole name).
NAME_CHARS: Final = 14
ROLE_LABELS: Final = {
    "chair": "董事长",
    "director": "董事",
    "supervisor": "监事",
    "manager": "经理",
    "finance_officer": "财务负责人",
    "principal": "负责人",
    "actual_controller": "实际控制人",
}


@dataclass(frozen=True)
class Link:
    """A related party and how it is tied to the report's party."""

    party: Mapping[str, Any]  # {party_id, kind, name}
    label: str
    inferred: bool = False


def links_of(related: Mapping[str, Any], shared: Mapping[str, Any]) -> list[Link]:
    """The links to draw, from a report's ``related`` and ``shared_contacts`` sections,
    strongest ties first (control and representation, then stakes, roles, branches, then
    inferred links).

    >>> rel = {"controllers": [{"party": {"party_id": "P", "kind": "person", "name": "刘洋"},
    ...                         "chains": [[{"stake_pct": "70"}]]}],
    ...        "shareholders": {"items": [{"party": {"party_id": "P"}, "stake_pct": "70"}]}}
    >>> [(l.party["party_id"], l.label) for l in links_of(rel, {"items": []})]
    [('P', '实际控制人'), ('P', '股东 70%')]
    """
    found = [Link(c["party"], "实际控制人") for c in related.get("controllers", [])]
    for key, describe in _DESCRIBE.items():
        items = related.get(key, {}).get("items", [])
        found.extend(Link(item["party"], describe(item)) for item in items)
    found.extend(Link(i["party"], "疑似关联 " + str(i["via"] or ""), True) for i in shared["items"])
    return found


_DESCRIBE: Final[dict[str, Callable[[Mapping[str, Any]], str]]] = {
    "legal_representative": lambda item: "法定代表人",
    "represents": lambda item: "任法定代表人",
    "shareholders": lambda item: f"股东 {item['stake_pct'] or '?'}%",
    "holdings": lambda item: f"持股 {item['stake_pct'] or '?'}%",
    "officers": lambda item: _role(item.get("role")),
    "positions": lambda item: _role(item.get("role")),
    "branches": lambda item: "分支机构",
    "parent": lambda item: "隶属",
}


def _role(role: object) -> str:
    """An officer role in Chinese where known.

    >>> _role("principal"), _role("auditor")
    ('负责人', 'auditor')
    """
    return ROLE_LABELS.get(str(role), str(role))


@dataclass(frozen=True)
class _Node:
    party: Mapping[str, Any]
    labels: tuple[str, ...]
    inferred: bool


def _merged(links: Iterable[Link]) -> list[_Node]:
    """One node per party, its labels in link order; inferred only if every link is."""
    order: dict[str, _Node] = {}
    for link in links:
        key = str(link.party.get("party_id"))
        seen = order.get(key)
        if seen is None:
            order[key] = _Node(link.party, (link.label,), link.inferred)
        elif link.label not in seen.labels:
            order[key] = _Node(
                seen.party, (*seen.labels, link.label), seen.inferred and link.inferred
            )
    return list(order.values())


def network_svg(subject: Mapping[str, Any], links: Sequence[Link]) -> str:
    """The picture as an SVG document (UTF-8 text, no external references)."""
    nodes = _merged(links)
    drawn, hidden = nodes[:MAX_NODES], len(nodes) - MAX_NODES
    cx, cy = WIDTH / 2, HEIGHT / 2 - 10
    places = [_place(i, len(drawn), cx, cy) for i in range(len(drawn))]
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{HEIGHT}" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" font-family="Noto Sans CJK SC, sans-serif">',
        '<rect width="100%" height="100%" fill="#ffffff" stroke="#d0d0d0"/>',
    ]
    parts += [_edge(cx, cy, x, y, node) for node, (x, y) in zip(drawn, places, strict=True)]
    parts.append(_shape(subject, cx, cy, subject=True))
    parts += [_shape(node.party, x, y) for node, (x, y) in zip(drawn, places, strict=True)]
    parts.append(_legend(hidden))
    parts.append("</svg>")
    return "\n".join(parts)


def _place(index: int, count: int, cx: float, cy: float) -> tuple[float, float]:
    """Evenly on an ellipse around the centre, starting at the top."""
    angle = -math.pi / 2 + 2 * math.pi * index / max(count, 1)
    return round(cx + 270 * math.cos(angle), 1), round(cy + 140 * math.sin(angle), 1)


def _edge(cx: float, cy: float, x: float, y: float, node: _Node) -> str:
    dash = ' stroke-dasharray="5 4"' if node.inferred else ""
    label = escape(_short("；".join(node.labels), 18))
    mx, my = round((cx + x) / 2, 1), round((cy + y) / 2, 1)
    return (
        f'<line x1="{cx}" y1="{cy}" x2="{x}" y2="{y}" stroke="#7a8794" stroke-width="1.2"{dash}/>'
        f'<text x="{mx}" y="{my - 2}" font-size="9" text-anchor="middle" '
        f'fill="#34495e">{label}</text>'
    )


def _shape(party: Mapping[str, Any], x: float, y: float, subject: bool = False) -> str:
    fill = "#c0392b" if subject else ("#2e6da4" if party.get("kind") == "company" else "#3a9a5b")
    size = 16 if subject else 11
    if party.get("kind") == "company":
        shape = (
            f'<rect x="{x - size}" y="{y - size}" width="{2 * size}" height="{2 * size}" '
            f'fill="{fill}"/>'
        )
    else:
        shape = f'<circle cx="{x}" cy="{y}" r="{size}" fill="{fill}"/>'
    name = escape(_short(str(party.get("name") or party.get("party_id") or "?"), NAME_CHARS))
    weight = ' font-weight="bold"' if subject else ""
    return (
        f'{shape}<text x="{x}" y="{y + size + 11}" font-size="10" text-anchor="middle"{weight} '
        f'fill="#1b1b1b">{name}</text>'
    )


def _legend(hidden: int) -> str:
    note = "■ 单位 company  ● 自然人 person  ┄ 疑似关联 inferred link"
    if hidden > 0:
        note += f"  ·  另有 {hidden} 个关联主体未画出 ({hidden} more in the tables)"
    return f'<text x="10" y="{HEIGHT - 10}" font-size="9" fill="#555555">{escape(note)}</text>'


def _short(text: str, limit: int) -> str:
    """``text`` cut to ``limit`` characters with an ellipsis (the tables keep it whole).

    >>> _short("石家庄华北建设工程有限公司", 6), _short("张伟", 6)
    ('石家庄华北…', '张伟')
    """
    return text if len(text) <= limit else text[: limit - 1] + "…"
