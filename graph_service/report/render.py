"""A report's data rendered: HTML from Jinja2 templates, PDF from that HTML with WeasyPrint.

The templates (``graph_service/report/templates``) draw every section from the report's data
and nothing else, so the PDF and the HTML say the same thing as the signed JSON. Chinese
text is set in Noto Sans CJK (Debian's ``fonts-noto-cjk``), which WeasyPrint embeds as a
subset. The report number and as-of date are repeated on every page by CSS page-margin boxes.

Long lists are written one string per item (:mod:`.lines`), which keeps WeasyPrint's work
(it grows with boxes and lines) within the issue's budget for a party with 5,000 records.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Mapping
from functools import lru_cache
from typing import Any, Final

import jinja2
from markupsafe import Markup

from graph_service.report.lines import measure_groups, provenance_text, record_text, sources_of
from graph_service.report.network import links_of, network_svg
from graph_service.report.verification import BUNDLE_NAME, html_json

KIND_LABELS: Final = {
    "dishonest_debtor": "失信被执行人",
    "tax_violation": "重大税收违法失信主体",
    "admin_penalty": "行政处罚",
    "blacklist": "严重失信主体名单",
    "red_list": "守信激励",
    "official_record": "公务员诚信档案",
    "intervention": "干预司法活动记录",
}
CONTEXT_LABELS: Final = {
    "government_procurement": "政府采购",
    "bidding": "招标投标",
    "land_supply": "土地供应",
    "financing": "融资信贷",
    "license_approval": "行政许可",
    "subsidy": "财政资金补贴",
    "honours": "评优评先",
    "civil_service_hiring": "公务员录用",
    "promotion": "干部选拔任用",
    "high_consumption": "高消费",
    "officer_appointment": "任职资格",
    "exit": "出境",
}
FIELD_LABELS: Final = {
    "uscc": "统一社会信用代码 USCC",
    "org_kind": "组织类型 Organisation kind",
    "status": "登记状态 Status",
    "registered_capital_cny": "注册资本（元）Registered capital (CNY)",
    "established_on": "成立日期 Established",
    "address": "住所 Address",
    "industry": "行业 Industry",
    "district_code": "行政区划代码 District",
    "legal_rep_name": "法定代表人 Legal representative",
    "legal_rep_id": "法定代表人证件号码 Legal representative's id",
    "id_number": "身份证号码 Resident id number",
    "gender": "性别 Gender",
    "birth_date": "出生日期 Birth date",
    "known_only_from": "仅见于 Known only from",
}
#: Records per block of the listing: each record is one line of a ``white-space: pre-line``
#: block. Measured on the 5,000-record report (docs/benchmarks.md): a block per record costs
#: WeasyPrint ~1.7x the CPU of blocks of 25 (a box, a style and a layout pass per record), one
#: block for a whole group ~2.5x (each line break lays out the rest of the block's text again).
RECORDS_PER_BLOCK: Final = 25

DECISION_LABELS: Final = {
    "deny": "禁止 deny",
    "restrict": "限制 restrict",
    "review": "审查 review",
    "allow": "允许 allow",
    "fast_track": "绿色通道 fast track",
}


def record_line(record: Mapping[str, Any], *context: str | None) -> str:
    """:func:`record_text` kept on one line: the listing breaks lines only between records.

    >>> record_line({"ref": "R-1", "details": {"note": "a\\nb"}})
    'R-1 · ? → · note=a b · source not recorded'
    """
    return " ".join(record_text(record, *context).splitlines())


def css_string(value: object) -> Markup:
    """``value`` as a quoted CSS string for the page-margin boxes (inside ``<style>``).

    >>> str(css_string('CGR-1 "x" </style>'))
    '"CGR-1 \\\\22 x\\\\22  \\\\3C /style>"'
    """
    escaped = "".join(_CSS_ESCAPES.get(ch, ch) for ch in str(value))
    # every character that could end the string or the <style> element is escaped above
    return Markup(f'"{escaped}"')  # noqa: S704


_CSS_ESCAPES: Final = {'"': "\\22 ", "\\": "\\5C ", "<": "\\3C ", "\n": "\\A "}


@lru_cache(maxsize=1)
def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("graph_service.report", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt field fails loudly, never prints blank
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(record_text=record_line, provenance=provenance_text, sources=sources_of)
    env.filters["css_string"] = css_string
    env.globals.update(
        kinds=KIND_LABELS, contexts=CONTEXT_LABELS, decisions=DECISION_LABELS, fields=FIELD_LABELS
    )
    env.globals["measure_groups"] = measure_groups
    env.globals["records_per_block"] = RECORDS_PER_BLOCK
    return env


def render_html(bundle: Mapping[str, Any], with_data: bool = True) -> str:
    """The report as one self-contained HTML document (styles, picture and data inline).

    ``with_data=False`` leaves the bundle's ``<script>`` out: the HTML a PDF is made from,
    which attaches the bundle as a file (for 5,000 records the script is 8 MB of text that
    WeasyPrint's HTML parser would read and nothing would show).
    """
    data, verification = bundle["data"], bundle["verification"]
    related = data["related"]
    picture = network_svg(
        data["party"], links_of(related, data["annex"]["peripheral_risk"]["shared_contacts"])
    )
    template = _environment().get_template("report.html.j2")
    return template.render(
        data=data,
        v=verification,
        picture=picture,
        bundle_json=html_json(dict(bundle)) if with_data else "",
        verification_json=json.dumps(verification, ensure_ascii=False),
        bundle_name=BUNDLE_NAME,
    )


_fonts = threading.local()


def render_pdf(bundle: Mapping[str, Any], html: str | None = None) -> bytes:
    """The report as a PDF, the bundle embedded as ``credit-report.json``."""
    import weasyprint  # imported on first use: it takes about a second
    from weasyprint.text.fonts import FontConfiguration

    # A font configuration per thread, kept: loading the CJK fonts again for every report
    # costs a noticeable part of a short report (WeasyPrint's fontmaps are not shared safely
    # between threads, so one per worker thread).
    if getattr(_fonts, "config", None) is None:
        _fonts.config = FontConfiguration()
    document = weasyprint.HTML(string=html or render_html(bundle, with_data=False))
    attachment = weasyprint.Attachment(
        string=json.dumps(bundle, ensure_ascii=False).encode("utf-8"),
        name=BUNDLE_NAME,
        description="The report's data and its signed verification block",
    )
    pdf: bytes = document.write_pdf(attachments=[attachment], font_config=_fonts.config)
    return pdf
