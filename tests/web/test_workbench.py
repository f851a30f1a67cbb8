"""The workbench in a real Chromium, as an investigator uses it.

Every test asserts what a person sees (text, drawn elements) and that the page logged no error
and asked nothing of any host but the service (127.0.0.1). Screenshots of each view are saved
under tests/web/artifacts/.
"""

from __future__ import annotations

from typing import Any

import pytest

from graph_service.security.appender import AuditLog
from graph_service.security.audit import Actor
from graph_service.security.keys import key_id_of, list_keys, revoke_key
from graph_service.security.roles import Role
from tests.web.conftest import (
    ENFORCEMENT_CASE,
    HENGTAI,
    HUABEI,
    HUB,
    LI_NA,
    ZHANG_WEI,
    Service,
    Watch,
    shoot,
)

pytestmark = pytest.mark.neo4j

Page = tuple[Any, Watch]


def sign_in(tab: Any, url: str, key: str) -> None:
    """Signs in through the form, as a person does."""
    tab.goto(f"{url}/")
    tab.fill("#key", key)
    tab.click("form.signin button[type=submit]")
    tab.wait_for_selector("section.search")


def open_route(tab: Any, url: str, route: str) -> None:
    tab.goto(f"{url}/{route}")


def wait_for_graph(tab: Any, text: str = "nodes") -> str:
    """Waits until the status line under the toolbar says ``text``; returns it."""
    tab.wait_for_function(
        "t => (document.querySelector('#graph-status')?.textContent || '').includes(t)",
        arg=text,
        timeout=60_000,
    )
    return str(tab.inner_text("#graph-status"))


def count(tab: Any, selector: str = "node") -> int:
    return int(tab.evaluate("s => window.workbench.cy.elements(s).length", selector))


def has_node(tab: Any, node_id: str) -> bool:
    return bool(tab.evaluate("id => window.workbench.cy.getElementById(id).nonempty()", node_id))


def double_click_node(tab: Any, node_id: str, canvas: str = "#network") -> None:
    """Double-clicks a node where it is drawn on the canvas."""
    x, y = tab.evaluate(
        "id => { const p = window.workbench.cy.getElementById(id).renderedPosition();"
        " return [p.x, p.y]; }",
        node_id,
    )
    box = tab.locator(canvas).bounding_box()
    tab.mouse.dblclick(box["x"] + x, box["y"] + y)


def assert_clean(watch: Watch) -> None:
    assert watch.errors == [], watch.errors
    assert watch.outside() == [], watch.outside()


def test_an_investigator_searches_opens_expands_connects_and_downloads(
    world: Service, web_page: Page
) -> None:
    tab, watch = web_page
    # Sign in, search a Chinese name, open the company.
    tab.goto(f"{world.url}/")
    tab.wait_for_selector("form.signin")
    shoot(tab, "01-sign-in")
    sign_in(tab, world.url, world.keys["investigator"])
    tab.fill("input[name=q]", "华北建设")
    tab.click("form.search-form button[type=submit]")
    tab.wait_for_selector("table.hits a.party-link")
    shoot(tab, "02-search")
    tab.click(f"table.hits a[href='#/party/{HUABEI}']")

    # Its card and its ties are drawn.
    tab.wait_for_selector("#party-name")
    assert tab.inner_text("#party-name") == "石家庄华北建设工程有限公司"
    wait_for_graph(tab)
    drawn = count(tab)
    assert drawn >= 6 and has_node(tab, HENGTAI)
    assert count(tab, "edge.inferred") >= 1  # the shared phone: an inferred, dashed link
    assert "deny" in tab.inner_text("table.decisions")
    assert "not a decision" in tab.inner_text(".notice.lead")  # peripheral risk is a lead
    # The records come in their own request (paged): wait for them as a user would.
    tab.wait_for_selector("#records table.records tbody tr")
    assert tab.locator("#records table.records tbody tr").count() >= 1
    shoot(tab, "03-party-network")

    # Expand a node: 李娜 (40% of 恒泰) appears.
    assert not has_node(tab, LI_NA)
    double_click_node(tab, HENGTAI)
    wait_for_graph(tab, "new ties drawn")
    assert has_node(tab, LI_NA) and count(tab) > drawn
    shoot(tab, "04-expanded")

    # Filter a relationship type out and back in.
    tab.click("details.filters summary")
    tab.uncheck("details.filters input[value=SHARES_CONTACT]")
    # The page restyles on the change event; give it the frames it needs on a busy machine.
    hidden = "s => window.workbench.cy.elements(s).length === 0"
    tab.wait_for_function(hidden, arg="edge[type = 'SHARES_CONTACT']:visible", timeout=10_000)
    assert count(tab, "edge[type = 'SHARES_CONTACT']:visible") == 0
    tab.check("details.filters input[value=SHARES_CONTACT]")
    tab.click("details.filters summary")

    # As of a day before 恒泰 was founded, its tie is not drawn.
    tab.fill("#as-of", "2010-01-01")
    tab.click("#redraw")
    wait_for_graph(tab, "as of 2010-01-01")
    assert not has_node(tab, HENGTAI)
    shoot(tab, "05-as-of-2010")
    tab.fill("#as-of", "")
    tab.click("#redraw")
    wait_for_graph(tab, "past and present")

    # How is it connected to 李娜? The shortest paths are highlighted.
    tab.fill("#connect-to", LI_NA)
    tab.click("#connect")
    status = wait_for_graph(tab, "shortest path")
    assert "2 hops" in status, status
    highlighted = tab.evaluate("window.workbench.cy.elements('.highlight').map(e => e.id())")
    assert {HUABEI, HENGTAI, LI_NA} <= set(highlighted)
    shoot(tab, "06-connection")

    # The picture as PNG, and the credit report as PDF.
    with tab.expect_download() as png:
        tab.click("#export-png")
    assert png.value.suggested_filename == f"{HUABEI}-network.png"
    assert open(png.value.path(), "rb").read(8) == b"\x89PNG\r\n\x1a\n"
    link = tab.get_attribute("#report-link", "href")
    assert link == f"/v1/reports/{HUABEI}?format=pdf"
    with tab.expect_download(timeout=120_000) as pdf:
        tab.click("#report-link")
    assert pdf.value.suggested_filename.endswith(".pdf")
    assert open(pdf.value.path(), "rb").read(5) == b"%PDF-"

    # The ownership penetration tree and the actual controller.
    tab.click("#ownership-tab")
    wait_for_graph(tab, "chains")
    assert count(tab, "node") >= 3
    assert "刘洋" in tab.inner_text("#controllers")
    tab.click("#controllers button.highlight-chain >> nth=0")
    assert count(tab, ".highlight") >= 2
    shoot(tab, "07-ownership")

    # The enforcement case: parties, the handling official and the intervention (司法公信).
    tab.go_back()
    tab.wait_for_selector("#cases a")
    tab.click(f"#cases a:text('{ENFORCEMENT_CASE}')")
    tab.wait_for_selector("#interventions")
    assert "吴刚" in tab.inner_text("#interventions")
    assert count(tab, "edge[type = 'INTERVENED_IN']") == 1
    shoot(tab, "08-case")
    assert_clean(watch)


def test_a_measures_path_is_drawn_on_the_graph(world: Service, web_page: Page) -> None:
    tab, watch = web_page
    sign_in(tab, world.url, world.keys["investigator"])
    open_route(tab, world.url, f"#/party/{ZHANG_WEI}")
    wait_for_graph(tab)
    tab.click("#measures button.show-path >> nth=0")
    status = wait_for_graph(tab, "by rule")
    assert HUABEI in status or "华北" in status
    highlighted = tab.evaluate("window.workbench.cy.nodes('.highlight').map(n => n.id())")
    assert {HUABEI, ZHANG_WEI} <= set(highlighted)
    shoot(tab, "09-measure-path")
    assert_clean(watch)


def test_a_hub_with_ten_thousand_ties_is_drawn_twenty_at_a_time(
    world: Service, web_page: Page
) -> None:
    tab, watch = web_page
    sign_in(tab, world.url, world.keys["investigator"])
    open_route(tab, world.url, f"#/party/{HUB}")
    wait_for_graph(tab, "more ties exist")
    tab.wait_for_selector("#inspector button.draw-more")
    assert "10,000" in tab.inner_text("#inspector")
    before = count(tab, "node:not(.more)")
    assert before <= 41  # the party and at most 40 ties, never ten thousand
    assert count(tab, "node.more") == 1  # "+N more" beside the hub

    tab.click("#inspector button.draw-more")
    tab.wait_for_function(
        "n => window.workbench.cy.nodes(':not(.more)').length > n", arg=before, timeout=60_000
    )
    assert count(tab, "node:not(.more)") == before + 20
    assert tab.evaluate("1 + 1") == 2  # the tab still answers
    shoot(tab, "10-hub-guard")
    assert_clean(watch)


@pytest.mark.parametrize(
    ("route", "message"),
    [
        ("#/party/BADID", "is 5 characters long"),
        ("#/party/91130102RG8E64XKKX", "id"),  # a wrong check digit
        ("#/party/110101199003074477", "No party with the identifier"),
        ("#/party/%E0%A4%A", "not valid"),
        ("#/case/NO-SUCH-CASE", "No case numbered"),
        ("#/nowhere", "There is no page"),
    ],
)
def test_a_bad_address_gets_a_clear_message(
    world: Service, web_page: Page, route: str, message: str
) -> None:
    tab, watch = web_page
    sign_in(tab, world.url, world.keys["investigator"])
    open_route(tab, world.url, route)
    tab.wait_for_selector(".notice.error")
    assert message in tab.inner_text(".notice.error")
    assert watch.outside() == []


def test_a_revoked_key_sends_the_user_back_to_sign_in(world: Service, web_page: Page) -> None:
    tab, watch = web_page
    key = world.new_key(Role.INVESTIGATOR)
    sign_in(tab, world.url, key)
    name = next(k.name for k in list_keys(world.db) if k.key_id == key_id_of(key))
    with AuditLog(world.db) as audit:
        revoke_key(audit, Actor("web-tests", "operator"), name)

    open_route(tab, world.url, f"#/party/{HUABEI}")

    tab.wait_for_selector("form.signin .notice.error")
    assert "sign in again" in tab.inner_text("#signin-message")
    assert tab.evaluate("sessionStorage.getItem('credit-graph.key')") is None
    shoot(tab, "11-key-revoked")
    assert watch.outside() == []


def test_a_checker_key_is_not_let_in_and_nothing_is_shown_unmasked(
    world: Service, web_page: Page
) -> None:
    tab, watch = web_page
    tab.goto(f"{world.url}/")
    tab.fill("#key", world.keys["checker"])
    tab.click("form.signin button[type=submit]")
    tab.wait_for_selector("#signin-message .notice.error")
    assert "role checker" in tab.inner_text("#signin-message")
    assert tab.evaluate("sessionStorage.getItem('credit-graph.key')") is None
    assert_clean(watch)


def test_graphiql_renders_offline(world: Service, web_page: Page) -> None:
    tab, watch = web_page
    tab.goto(f"{world.url}/graphql")
    tab.wait_for_selector(".graphiql-container .CodeMirror", timeout=60_000)
    tab.wait_for_selector(".graphiql-doc-explorer-search, .graphiql-sidebar", timeout=60_000)
    shoot(tab, "12-graphiql")
    assert_clean(watch)


def test_the_api_docs_render_offline(world: Service, web_page: Page) -> None:
    tab, watch = web_page
    tab.goto(f"{world.url}/docs")
    tab.wait_for_selector(".swagger-ui .info .title", timeout=60_000)
    assert "credit-graph" in tab.inner_text(".swagger-ui .info .title")
    tab.wait_for_selector(".opblock-summary-path[data-path='/v1/me']")
    shoot(tab, "13-docs")
    assert_clean(watch)
