"""Workbench benchmark (issue 13): the investigator page in a real Chromium on a synthetic world.

    .venv/bin/python bench/workbench.py [--parties 100000] [--seed 1] [--opens 30]
                                    [--expansions 50] [--reports 20] [--browser-reports 5]
                                    [--keep-running]

1. starts the benchmark's embedded Neo4j (home ``.credit-graph/bench``, port 7695), loads the
   world if the graph holds fewer parties than asked (as bench/graphql_api.py does) and runs a
   full propagation if none is recorded (the party card shows the stored measures);
2. creates an investigator key, serves the API with ``credit-graph serve`` in a child process
   (the settings are the defaults but the per-key rate limit), and opens the workbench in
   Debian's Chromium (``/usr/bin/chromium``) through Playwright, signing in through the form;
3. **party page ready**: from the search view, clicks a link to a party (``#/party/ID``, a link
   added to the page for a party of the sample, since a name search does not always list the
   party first) and measures in the page, from the click, when the card is shown, when it is
   *ready* — card shown and network drawn: the status line under the toolbar says how many
   nodes were drawn, which ``redraw()`` writes after the graph is laid out, and the next
   animation frame has painted it — and when the record list has arrived (it loads beside);
4. **node expansion**: on those pages, double-clicks (with the mouse, where cytoscape drew it)
   up to ``--per-party`` nodes not yet expanded and measures from the double-click until the
   status line gives the result (ties drawn, the hub guard's choice, or a case's ties) and the
   next frame has painted it;
5. **credit report**: ``GET /v1/reports/{id}?format=pdf`` over HTTP with the investigator's key
   (``--reports`` parties) and by the page's download button (``--browser-reports``), until
   the whole PDF has arrived;
6. prints JSON and a markdown table, writes ``bench/out/workbench-<parties>-<seed>.json``.

Targets (issue 13, 100,000-party world): party page ready ≤ 1 s after the click; a node
expansion ≤ 200 ms p99; report PDF ≤ 2 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from common import (
    API_KEY_HEADER,
    OUT,
    add_neo4j_arguments,
    bench_registry,
    create_key,
    ensure_world,
    neo4j_settings,
    percentiles,
    query_seconds,
    running_neo4j,
    seeded_sample,
    serving,
)
from playwright.sync_api import Error as PlaywrightError

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
TARGET_READY_MS = 1000.0
TARGET_EXPAND_P99_MS = 200.0
TARGET_REPORT_MS = 2000.0
#: How long one step may take before it counts as failed (the page never got there).
STEP_TIMEOUT_MS = 60_000

#: Installed before a click: records, from the click, when the card is shown, when the page is
#: ready (card + network drawn, then one painted frame) and when the records have arrived.
WATCH_OPEN = """() => {
  performance.clearResourceTimings();
  const b = (window.__bench = { t0: null, card: null, ready: null, records: null, seen: false });
  const start = () => { b.t0 = performance.now(); };
  document.addEventListener("click", start, { capture: true, once: true });
  const check = () => {
    if (b.t0 === null) return;
    const now = performance.now();
    const card = document.querySelector("#party-name");
    if (card && b.card === null) b.card = now;
    const status = document.querySelector("#graph-status")?.textContent || "";
    const cy = window.workbench && window.workbench.cy;
    if (card && !b.seen && /\\d+ nodes/.test(status) && cy && cy.nodes().length) {
      b.seen = true;
      requestAnimationFrame(() => { b.ready = performance.now(); });
    }
    const records = document.querySelector("#records");
    if (b.records === null && records &&
        (records.querySelector("table.records") || /No records/.test(records.textContent))) {
      b.records = now;
    }
    if (b.ready !== null && b.records !== null) observer.disconnect();
  };
  const observer = new MutationObserver(check);
  observer.observe(document.body, { childList: true, subtree: true, characterData: true });
}"""

#: The API requests the page made since the watch began, up to ``end`` (ms, page clock): their
#: number and the time during which at least one was in flight (GraphQL and REST alike).
API_TIME = r"""end => {
  const spans = performance.getEntriesByType("resource")
    .filter((e) => /\/(graphql|v1\/)/.test(e.name) && e.startTime <= end)
    .map((e) => [e.startTime, Math.min(e.responseEnd, end)])
    .sort((a, b) => a[0] - b[0]);
  let busy = 0, from = null, to = null;
  for (const [s, e] of spans) {
    if (to === null || s > to) { if (to !== null) busy += to - from; from = s; to = e; }
    else to = Math.max(to, e);
  }
  if (to !== null) busy += to - from;
  return { requests: spans.length, busy };
}"""

#: Installed before a double-click: from the double-click until the status line gives the
#: expansion's result (not "Expanding…") and a frame has painted it.
WATCH_EXPAND = """() => {
  const status = document.querySelector("#graph-status");
  status.textContent = "";
  performance.clearResourceTimings();
  const b = (window.__bench = { t0: null, done: null, text: null });
  const start = () => { b.t0 = performance.now(); };
  document.addEventListener("dblclick", start, { capture: true, once: true });
  const observer = new MutationObserver(() => {
    const text = status.textContent || "";
    if (b.t0 === null || b.text !== null || !text || text.startsWith("Expanding")) return;
    b.text = text;
    observer.disconnect();
    requestAnimationFrame(() => { b.done = performance.now(); });
  });
  observer.observe(status, { childList: true, subtree: true, characterData: true });
}"""


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the benchmark; returns the process exit code."""
    args = _arguments(argv)
    if not CHROMIUM.exists():
        raise SystemExit(f"error: {CHROMIUM} is missing: run `make system-deps`")
    from graph_service import migrations
    from graph_service.db import Database

    settings = neo4j_settings(args.home, args.neo4j_port, args.heap, args.pagecache)
    report: dict[str, Any] = {"parties": args.parties, "seed": args.seed, "load": _load()}
    with running_neo4j(settings, args.keep_running):
        with Database(settings, bench_registry()) as db:
            migrations.migrate(db)
            report["loaded_world"] = ensure_world(db, args.parties, args.seed, "workbench")
            report["propagation"] = ensure_measures(db)
            sample = _sample(db, args)
            key, _ = create_key(db, "investigator", __file__)
        with serving(args.home, args.neo4j_port) as server:
            before = query_seconds(server.url)
            report |= _browse(args, server.url, key, sample)
            report["reports_http"] = _reports_http(server.url, key, sample[: args.reports])
            report["service_queries"] = _query_delta(before, query_seconds(server.url))
    report["load_after"] = _load()
    _report(args, report)
    return 0


def _arguments(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--parties", type=int, default=100_000, help="companies + persons")
    parser.add_argument("--seed", type=int, default=1, help="seed of the synthetic world")
    parser.add_argument("--opens", type=int, default=30, help="party pages opened (measured)")
    parser.add_argument("--warmup", type=int, default=3, help="party pages opened first")
    parser.add_argument("--expansions", type=int, default=50, help="node expansions measured")
    parser.add_argument("--per-party", type=int, default=3, help="expansions per party page")
    parser.add_argument("--reports", type=int, default=20, help="PDF reports over HTTP")
    parser.add_argument("--browser-reports", type=int, default=5, help="PDFs by the button")
    add_neo4j_arguments(parser)
    return parser.parse_args(argv)


def ensure_measures(db: Any) -> dict[str, Any]:
    """The propagation run the party cards show: the newest recorded, or a full run now."""
    from graph_service.propagation import runner, store

    runs = store.last_runs(db, 1)
    if runs:
        return {"ran_now": False, "as_of": str(runs[0].get("as_of"))}
    started = time.perf_counter()
    runner.run_full(db)
    return {"ran_now": True, "seconds": round(time.perf_counter() - started, 1)}


def _sample(db: Any, args: argparse.Namespace) -> list[dict[str, Any]]:
    """Parties with ties an investigator walks, in a seeded order."""
    size = args.warmup + max(args.opens, args.reports, args.browser_reports) + 10
    return seeded_sample(db, "meta/bench_workbench_parties", size, random.Random(args.seed))


def _load() -> list[float]:
    return [round(x, 2) for x in os.getloadavg()]


# --- the page -------------------------------------------------------------------------------


def _browse(
    args: argparse.Namespace, url: str, key: str, sample: list[dict[str, Any]]
) -> dict[str, Any]:
    """Opens party pages, expands nodes and downloads reports in Chromium; the timings."""
    from playwright.sync_api import sync_playwright

    opens: list[dict[str, Any]] = []
    expansions: list[dict[str, Any]] = []
    downloads: list[dict[str, Any]] = []
    errors: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        context = browser.new_context(viewport={"width": 1500, "height": 950})
        tab = context.new_page()

        def console(message: Any) -> None:
            if message.type == "error":
                errors.append(message.text[:200])

        tab.on("console", console)
        tab.on("pageerror", lambda e: errors.append(f"uncaught: {e}"[:200]))
        tab.set_default_timeout(STEP_TIMEOUT_MS)
        _sign_in(tab, url, key)
        for n, party in enumerate(sample[: args.warmup + args.opens]):
            opened = _open(tab, party)
            if n < args.warmup:
                continue
            opens.append(opened)
            want = min(args.per_party, args.expansions - len(expansions))
            if opened.get("ready_ms") is not None and want > 0:
                expansions += _expand_some(tab, party["id"], want)
            if len(downloads) < args.browser_reports and opened.get("ready_ms") is not None:
                downloads.append(_download(tab, party["id"]))
        browser.close()
    return {
        "opens": opens,
        "expansions": expansions,
        "reports_browser": downloads,
        "console_errors": errors[:20],
        "console_error_count": len(errors),
    }


def _sign_in(tab: Any, url: str, key: str) -> None:
    tab.goto(f"{url}/")
    tab.wait_for_selector("form.signin")
    tab.fill("#key", key)
    tab.click("form.signin button[type=submit]")
    tab.wait_for_selector("section.search")


def _open(tab: Any, party: dict[str, Any]) -> dict[str, Any]:
    """From the search view, clicks a link to the party; times the page's steps."""
    tab.evaluate("() => { window.location.hash = '#/search'; }")
    tab.wait_for_selector("section.search")
    tab.evaluate(
        """id => {
          const a = document.createElement("a");
          a.id = "bench-open"; a.href = "#/party/" + encodeURIComponent(id); a.textContent = id;
          document.querySelector("section.search").append(a);
        }""",
        party["id"],
    )
    tab.evaluate(WATCH_OPEN)
    started = time.perf_counter()
    tab.click("#bench-open")
    result = {"party": party["id"], "kind": party["kind"]}
    try:
        tab.wait_for_function(
            "() => window.__bench.ready !== null && window.__bench.records !== null",
            timeout=STEP_TIMEOUT_MS,
        )
    except PlaywrightError as error:  # the page never got there: reported, not fatal
        return result | {"error": str(error).splitlines()[0][:200]}
    b = tab.evaluate("() => window.__bench")
    drawn = tab.evaluate(
        "() => { const cy = window.workbench.cy;"
        " return [cy.nodes(':not(.more)').length, cy.edges().length]; }"
    )
    status = tab.inner_text("#graph-status")
    api = tab.evaluate(API_TIME, b["ready"])
    return result | {
        "card_ms": round(b["card"] - b["t0"], 1),
        "ready_ms": round(b["ready"] - b["t0"], 1),
        "records_ms": round(b["records"] - b["t0"], 1),
        "api_requests": api["requests"],
        "api_ms": round(api["busy"], 1),
        "outside_ms": round((time.perf_counter() - started) * 1000, 1),
        "nodes": drawn[0],
        "edges": drawn[1],
        "truncated": "more ties exist" in status,
    }


def _expand_some(tab: Any, root: str, want: int) -> list[dict[str, Any]]:
    """Double-clicks up to ``want`` drawn nodes (not the root, not yet expanded)."""
    done: list[dict[str, Any]] = []
    tried: set[str] = {root}
    while len(done) < want:
        node = tab.evaluate(
            """tried => {
              const cy = window.workbench.cy;
              const n = cy.nodes().filter((x) => !x.hasClass('more') && !x.hasClass('expanded')
                && !x.id().startsWith('more:') && !tried.includes(x.id()))[0];
              if (!n) return null;
              const p = n.renderedPosition();
              return { id: n.id(), kind: n.data('kind'), x: p.x, y: p.y, nodes: cy.nodes().length };
            }""",
            sorted(tried),
        )
        if node is None:
            break
        tried.add(node["id"])
        done.append(_expand(tab, node))
    return done


def _expand(tab: Any, node: dict[str, Any]) -> dict[str, Any]:
    box = tab.locator("#network").bounding_box()
    if not (0 < node["x"] < box["width"] and 0 < node["y"] < box["height"]):
        return {"node": node["id"], "kind": node["kind"], "error": "drawn outside the canvas"}
    tab.evaluate(WATCH_EXPAND)
    tab.mouse.dblclick(box["x"] + node["x"], box["y"] + node["y"])
    result = {"node": node["id"], "kind": node["kind"], "nodes_before": node["nodes"]}
    try:
        tab.wait_for_function("() => window.__bench.done !== null", timeout=STEP_TIMEOUT_MS)
    except PlaywrightError as error:  # reported, not fatal
        return result | {"error": str(error).splitlines()[0][:200]}
    b = tab.evaluate("() => window.__bench")
    expanded = tab.evaluate(
        "id => window.workbench.cy.getElementById(id).hasClass('expanded')", node["id"]
    )
    text = str(b["text"])
    api = tab.evaluate(API_TIME, b["done"])
    outcome = "case" if node["kind"] == "case" else "guard" if "choose which" in text else "drawn"
    return result | {
        "ms": round(b["done"] - b["t0"], 1),
        "api_requests": api["requests"],
        "api_ms": round(api["busy"], 1),
        "outcome": outcome if expanded else "other node",
        "nodes_after": tab.evaluate("() => window.workbench.cy.nodes().length"),
    }


def _download(tab: Any, party_id: str) -> dict[str, Any]:
    """Clicks the page's report button; the time until the PDF has been downloaded."""
    started = time.perf_counter()
    try:
        with tab.expect_download(timeout=STEP_TIMEOUT_MS) as info:
            tab.click("#report-link")
        size = Path(info.value.path()).stat().st_size
    except PlaywrightError as error:  # reported, not fatal
        return {"party": party_id, "error": str(error).splitlines()[0][:200]}
    return {
        "party": party_id,
        "ms": round((time.perf_counter() - started) * 1000, 1),
        "bytes": size,
    }


# --- the report over HTTP -------------------------------------------------------------------


def _reports_http(url: str, key: str, sample: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """``GET /v1/reports/{id}?format=pdf`` for each party, one at a time, whole body read."""
    import httpx

    found = []
    with httpx.Client(base_url=url, headers={API_KEY_HEADER: key}, timeout=120) as client:
        for party in sample:
            started = time.perf_counter()
            response = client.get(f"/v1/reports/{party['id']}", params={"format": "pdf"})
            took = (time.perf_counter() - started) * 1000
            ok = response.status_code == 200 and response.content.startswith(b"%PDF")
            found.append(
                {
                    "party": party["id"],
                    "ms": round(took, 1),
                    "status": response.status_code,
                    "pdf": ok,
                    "bytes": len(response.content),
                }
            )
    return found


def _query_delta(
    before: dict[str, tuple[float, float]], after: dict[str, tuple[float, float]]
) -> dict[str, dict[str, float]]:
    """Per named query of the service over the whole run: runs and mean ms per run."""
    delta = {}
    for name, (count, seconds) in sorted(after.items()):
        n = count - before.get(name, (0.0, 0.0))[0]
        if n:
            spent = seconds - before.get(name, (0.0, 0.0))[1]
            delta[name] = {"count": int(n), "mean_ms": round(spent / n * 1000, 2)}
    return delta


# --- report ---------------------------------------------------------------------------------


def _figures(report: dict[str, Any]) -> dict[str, Any]:
    """Percentiles and verdicts of the measured steps."""

    def ok(rows: list[dict[str, Any]], key: str) -> list[float]:
        return [r[key] for r in rows if r.get(key) is not None]

    opens, expansions = report["opens"], report["expansions"]
    ready = percentiles(ok(opens, "ready_ms"))
    measured = [e for e in expansions if e.get("outcome") != "other node"]
    expand = percentiles(ok(measured, "ms"))
    http = percentiles(ok([r for r in report["reports_http"] if r["pdf"]], "ms"))
    button = percentiles(ok(report["reports_browser"], "ms"))
    failed = {
        "opens": sum(1 for r in opens if "error" in r),
        "expansions": sum(
            1 for e in expansions if "error" in e or e.get("outcome") == "other node"
        ),
        "reports_http": sum(1 for r in report["reports_http"] if not r["pdf"]),
        "reports_browser": sum(1 for r in report["reports_browser"] if "error" in r),
    }

    def met(value: float | None, target: float, failures: int) -> bool:
        return value is not None and value <= target and failures == 0

    return {
        "ready": ready | {"card": percentiles(ok(opens, "card_ms")),
                          "records": percentiles(ok(opens, "records_ms")),
                          "api": percentiles(ok(opens, "api_ms"))},
        "expand": expand | {"api": percentiles(ok(measured, "api_ms"))},
        "report_http": http,
        "report_browser": button,
        "failed": failed,
        "met": {
            "ready_max_le_1s": met(ready["max_ms"], TARGET_READY_MS, failed["opens"]),
            "ready_p99_le_1s": met(ready["p99_ms"], TARGET_READY_MS, failed["opens"]),
            "expand_p99_le_200ms": met(
                expand["p99_ms"], TARGET_EXPAND_P99_MS, failed["expansions"]
            ),
            "report_http_max_le_2s": met(http["max_ms"], TARGET_REPORT_MS, failed["reports_http"]),
            "report_browser_max_le_2s": met(
                button["max_ms"], TARGET_REPORT_MS, failed["reports_browser"]
            ),
        },
    }  # fmt: skip


def _report(args: argparse.Namespace, report: dict[str, Any]) -> None:
    report["figures"] = _figures(report)
    text = json.dumps(report, ensure_ascii=False, indent=2)
    print(text)
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / f"workbench-{args.parties}-{args.seed}.json").write_text(text + "\n", encoding="utf-8")
    f = report["figures"]
    print()
    print(f"Workbench benchmark: {args.parties:,} parties (seed {args.seed})")
    print()
    print("| what | n | p50 ms | p99 ms | max ms | target | verdict |")
    print("|---|---:|---:|---:|---:|---|---|")
    rows = [
        ("party page: card shown", f["ready"]["card"], len(report["opens"]), "—", None),
        ("party page ready (card + network)", f["ready"], len(report["opens"]), "≤ 1 s",
         f["met"]["ready_max_le_1s"]),
        ("party page: records listed", f["ready"]["records"], len(report["opens"]), "—", None),
        ("node expansion", f["expand"], len(report["expansions"]), "p99 ≤ 200 ms",
         f["met"]["expand_p99_le_200ms"]),
        ("report PDF over HTTP", f["report_http"], len(report["reports_http"]), "≤ 2 s",
         f["met"]["report_http_max_le_2s"]),
        ("report PDF by the button", f["report_browser"], len(report["reports_browser"]),
         "≤ 2 s", f["met"]["report_browser_max_le_2s"]),
    ]  # fmt: skip
    for what, stats, n, target, met in rows:
        verdict = "—" if met is None else "met" if met else "MISS"
        print(
            f"| {what} | {n} | {stats['p50_ms']} | {stats['p99_ms']} | {stats['max_ms']} "
            f"| {target} | {verdict} |"
        )
    print()
    print(f"failed steps: {f['failed']}; console errors: {report['console_error_count']}")
    print(
        "time with an API request in flight, p50 / p99 ms: party page until ready "
        f"{f['ready']['api']['p50_ms']} / {f['ready']['api']['p99_ms']}, expansion "
        f"{f['expand']['api']['p50_ms']} / {f['expand']['api']['p99_ms']}"
    )


if __name__ == "__main__":
    sys.exit(main())
