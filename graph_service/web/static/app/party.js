// A party: its card on the left, its network on the right (filter by type, as of a day,
// expand with the hub guard, how it connects to another party, a measure's path), PNG export
// and the credit report download.

import { gql, unwrap, file, ApiError } from "./api.js";
import { h, fill, saveBlob, partyRoute } from "./dom.js";
import { Network, RELATION_TYPES } from "./graph.js";
import { partyCard } from "./card.js";
import { expand, drawNeighbours, CAP } from "./expand.js";
import { PARTY_CARD, PATHS, PARTY_KINDS, SEARCH } from "./queries.js";

/** Types drawn when a party opens: everything but the case-handling links of officials. */
const ALL_TYPES = RELATION_TYPES.map(([type]) => type);

export async function partyView(view, id, query) {
  const party = await loadParty(id);
  const state = { id: party.id, activeOn: query.get("on") || null, types: [...ALL_TYPES], expanded: [] };
  const page = partyLayout(party, state);
  fill(view, page.root);
  const network = new Network(page.canvas, {
    onSelect: (element) => inspect(page.inspector, element),
    onExpand: (nodeId) => runExpand(network, nodeId, state, page),
  });
  window.workbench.cy = network.cy;
  page.card.replaceWith(partyCard(party, { onShowPath: (m) => showMeasurePath(network, m, page) }));
  wireToolbar(network, state, page, party);
  await redraw(network, state, page);
  if (query.get("to")) await connect(network, state, page, query.get("to"));
  return () => network.cy.destroy();
}

async function loadParty(id) {
  const party = unwrap((await gql(PARTY_CARD, { id })).party, `Party “${id}”`);
  if (!party) {
    throw new ApiError(`No party with the identifier “${id}” is in the graph.`, "not_found", 404);
  }
  return party;
}

function partyLayout(party, state) {
  const page = {
    card: h("div", { class: "card" }),
    canvas: h("div", { class: "canvas", id: "network" }),
    status: h("div", { class: "status", id: "graph-status", role: "status" }),
    inspector: h("aside", { class: "inspector", id: "inspector" }, h("p", { class: "hint" }, "Click a node or an edge for details; double-click a node to expand it.")),
    toolbar: h("div", { class: "toolbar" }),
  };
  page.root = h(
    "div",
    { class: "party-view" },
    page.card,
    h(
      "section",
      { class: "graph-panel" },
      h("nav", { class: "tabs" },
        h("a", { href: partyRoute(party.id), class: "active" }, "Network 关系图"),
        h("a", { href: partyRoute(party.id, "/ownership"), id: "ownership-tab" }, "Ownership 股权穿透")),
      page.toolbar,
      page.status,
      h("div", { class: "graph-body" }, page.canvas, page.inspector),
      legend(),
    ),
  );
  state.page = page;
  return page;
}

function wireToolbar(network, state, page, party) {
  const filters = RELATION_TYPES.map(([type, words]) =>
    h("label", { class: "filter", title: words }, h("input", { type: "checkbox", value: type, checked: true, onchange: () => onFilter() }), ` ${type}`),
  );
  const onFilter = () => {
    const hidden = filters.map((l) => l.querySelector("input")).filter((i) => !i.checked).map((i) => i.value);
    network.setHidden(hidden);
    state.types = ALL_TYPES.filter((t) => !hidden.includes(t));
  };
  const date = h("input", { type: "date", id: "as-of", value: state.activeOn || "" });
  const target = h("input", { id: "connect-to", list: "connect-suggestions", placeholder: "other party: id or name", size: 22 });
  const suggestions = h("datalist", { id: "connect-suggestions" });
  target.addEventListener("input", () => suggest(target.value, suggestions));
  const report = h("a", { id: "report-link", href: reportHref(party.id, state.activeOn), class: "button" }, "Download credit report (PDF)");
  report.addEventListener("click", (event) => downloadReport(event, party, state, page));
  fill(
    page.toolbar,
    h("details", { class: "filters" }, h("summary", {}, "Relationship types"), filters),
    h("label", {}, "As of ", date),
    h("button", { type: "button", id: "redraw", onclick: () => { state.activeOn = date.value || null; report.href = reportHref(party.id, state.activeOn); redraw(network, state, page); } }, "Redraw"),
    h("span", { class: "sep" }),
    target, suggestions,
    h("button", { type: "button", id: "connect", onclick: () => connect(network, state, page, target.value) }, "Find connection 找关系"),
    h("button", { type: "button", id: "clear-highlight", onclick: () => { network.highlight(); setStatus(page, ""); } }, "Clear"),
    h("span", { class: "sep" }),
    h("button", { type: "button", id: "expand", onclick: () => expandSelected(network, state, page) }, "Expand selected"),
    h("button", { type: "button", onclick: () => network.layout() }, "Layout"),
    h("button", { type: "button", id: "export-png", onclick: () => exportPng(network, party) }, "PNG"),
    report,
  );
}

/** Draws the party's neighbourhood as of `state.activeOn`, then replays earlier expansions. */
async function redraw(network, state, page) {
  network.clear();
  const result = await drawNeighbours(network, state.id, { types: state.types, activeOn: state.activeOn, cap: 2 * CAP });
  network.cy.getElementById(state.id).addClass("root");
  for (const id of state.expanded) {
    if (network.cy.getElementById(id).nonempty()) await expand(network, id, expandOptions(network, state, page));
  }
  network.layout();
  const day = state.activeOn ? ` as of ${state.activeOn}` : " (past and present; past ties dotted)";
  const more = result.truncated ? ` — more ties exist: double-click the party to choose which to draw` : "";
  setStatus(page, `${network.cy.nodes().length} nodes, ${network.cy.edges().length} edges${day}${more}.`);
  if (result.truncated) await expand(network, state.id, expandOptions(network, state, page));
}

function expandOptions(network, state, page) {
  const onChange = () => {
    network.layout();
    setStatus(page, `${network.cy.nodes(":not(.more)").length} nodes, ${network.cy.edges().length} edges.`);
  };
  return { types: state.types, activeOn: state.activeOn, panel: page.inspector, onChange };
}

async function runExpand(network, nodeId, state, page) {
  if (nodeId.startsWith("more:")) nodeId = network.cy.getElementById(nodeId).data("moreOf");
  setStatus(page, "Expanding…");
  try {
    const before = new Set(network.cy.nodes().map((n) => n.id()));
    const text = await expand(network, nodeId, expandOptions(network, state, page));
    if (!state.expanded.includes(nodeId)) state.expanded.push(nodeId);
    network.placeAround(nodeId, network.cy.nodes().map((n) => n.id()).filter((id) => !before.has(id)));
    setStatus(page, text);
  } catch (error) {
    setStatus(page, error.message, "error");
  }
}

function expandSelected(network, state, page) {
  const selected = network.cy.nodes(":selected");
  if (selected.empty()) {
    setStatus(page, "Select a node first (click it), then Expand.", "info");
    return;
  }
  runExpand(network, selected[0].id(), state, page);
}

/** Every shortest path to another party, highlighted on the graph. */
async function connect(network, state, page, other) {
  const to = await resolveParty(other.trim());
  if (!to) {
    setStatus(page, `No party found for “${other}”.`, "error");
    return;
  }
  setStatus(page, "Looking for connections…");
  try {
    const partyTypes = state.types.length === ALL_TYPES.length ? null : state.types;
    const found = unwrap((await gql(PATHS, { id: state.id, to, types: partyTypes, activeOn: state.activeOn })).party, "Party");
    const connections = unwrap(found.paths, "Connection");
    if (connections.length === null) {
      network.highlight();
      setStatus(page, `Not connected within 6 hops${state.activeOn ? ` on ${state.activeOn}` : ""}.`, "info");
      return;
    }
    network.add(connections.view);
    const nodes = connections.paths.flatMap((p) => p.nodes.map((n) => n.id));
    const edges = connections.paths.flatMap((p) => p.edges.map((e) => e.id));
    network.layout();
    network.highlight(nodes, edges);
    const inferred = connections.paths.some((p) => p.inferred) ? " Some use inferred links (dashed)." : "";
    const more = connections.truncated ? " (more paths exist than shown)" : "";
    setStatus(page, `${connections.paths.length} shortest path(s) of ${connections.length} hops to ${connections.paths[0].nodes.at(-1).label}${more}.${inferred}`);
    history.replaceState(null, "", `${partyRoute(state.id)}?to=${encodeURIComponent(to)}${state.activeOn ? `&on=${state.activeOn}` : ""}`);
  } catch (error) {
    setStatus(page, error.message, "error");
  }
}

/** An identifier as typed, or the id of the best name match (the datalist offers names). */
async function resolveParty(text) {
  if (!text) return null;
  const id = /\(([0-9A-Za-z]{18})\)$/.exec(text)?.[1];
  if (id) return id;
  if (/^[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]{18}$/.test(text)) return text;
  const hits = (await gql(SEARCH, { text, first: 1 })).searchParties;
  return hits.nodes?.[0]?.party.id || null;
}

let suggestTimer = null;
function suggest(text, list) {
  clearTimeout(suggestTimer);
  if (text.length < 2 || /^[0-9A-Za-z]+$/.test(text)) return;
  suggestTimer = setTimeout(async () => {
    const hits = (await gql(SEARCH, { text })).searchParties;
    fill(list, (hits.nodes || []).map((hit) => h("option", { value: `${hit.party.name} (${hit.party.id})` })));
  }, 250);
}

/** Draws the path of a measure (record's party → … → this party) and highlights it. */
async function showMeasurePath(network, measure, page) {
  const hops = measure.path;
  const missing = hops.filter((hop) => network.cy.getElementById(hop.partyId).empty());
  if (missing.length) {
    const found = (await gql(PARTY_KINDS, { ids: missing.map((m) => m.partyId) })).parties.parties;
    network.add({ nodes: missing.map((hop, i) => ({ id: hop.partyId, label: hop.name || hop.partyId, kind: kindOf(found[i]), depth: 1 })), edges: [] });
  }
  const edgeIds = [];
  hops.slice(1).forEach((hop, i) => {
    const from = hops[i].partyId;
    const between = network.cy.getElementById(from).edgesWith(network.cy.getElementById(hop.partyId)).filter((e) => e.data("type") === hop.relation);
    if (between.nonempty()) {
      edgeIds.push(between[0].id());
      return;
    }
    const id = `path:${measure.key}:${i}`;
    const label = [hop.relation, hop.stakePct != null ? `${hop.stakePct}%` : null, hop.role].filter(Boolean).join(" ");
    network.addEdge({ id, source: from, target: hop.partyId, type: hop.relation || "RELATED", label, active: true, inferred: false }, "measure-path");
    edgeIds.push(id);
  });
  network.layout();
  network.highlight(hops.map((hop) => hop.partyId), edgeIds);
  setStatus(page, `${measure.measure}: ${measure.explanation}`);
}

function kindOf(party) {
  if (!party) return "company";
  return { Company: "company", Person: "person", Official: "official" }[party.__typename] || "company";
}

function inspect(panel, element) {
  if (!element) return;
  const raw = element.data("raw") || element.data();
  if (element.isNode && element.isNode()) {
    if (element.hasClass("more")) {
      fill(panel, h("p", {}, `${element.data("label")}: double-click to choose which to draw.`));
      return;
    }
    const link = raw.kind === "case" ? `#/case/${encodeURIComponent(raw.id)}` : partyRoute(raw.id);
    fill(panel, h("h3", {}, raw.label), h("p", {}, raw.kind, " · ", h("code", {}, raw.id)),
      h("p", {}, h("a", { href: link }, raw.kind === "case" ? "Open the case" : "Open this party")),
      h("p", { class: "hint" }, "Double-click to expand."));
    return;
  }
  fill(panel, h("h3", {}, raw.type), h("dl", { class: "facts" },
    ...[["label", raw.label], ["stake", raw.stakePct != null ? `${raw.stakePct}%` : null], ["role", raw.role],
      ["since", raw.since], ["until", raw.until], ["active", raw.active === false ? "no (past)" : "yes"],
      ["inferred", raw.inferred ? "yes — 疑似关联, a lead, not a registered tie" : null],
      ["source", raw.provenance ? `${raw.provenance.srcFile || raw.provenance.srcKind} row ${raw.provenance.srcRow}` : null]]
      .filter(([, v]) => v !== null && v !== undefined).flatMap(([k, v]) => [h("dt", {}, k), h("dd", {}, v)])));
}

async function exportPng(network, party) {
  saveBlob(await network.png(), `${party.id}-network.png`);
}

function reportHref(id, activeOn) {
  return `/v1/reports/${encodeURIComponent(id)}?format=pdf${activeOn ? `&as_of=${activeOn}` : ""}`;
}

/** The report is a REST route that needs the key header, so a plain link cannot fetch it. */
async function downloadReport(event, party, state, page) {
  event.preventDefault();
  setStatus(page, "Preparing the credit report…");
  try {
    const { blob, name } = await file(reportHref(party.id, state.activeOn), `credit-report-${party.id}.pdf`);
    saveBlob(blob, name);
    setStatus(page, `Credit report downloaded: ${name}.`);
  } catch (error) {
    const text = error.status === 404 ? "The credit report is not available on this server." : error.message;
    setStatus(page, text, "error");
  }
}

function setStatus(page, text, kind = "") {
  fill(page.status, text ? h("span", { class: kind }, text) : "");
}

function legend() {
  return h(
    "div",
    { class: "legend" },
    h("span", { class: "shape company" }), "company/organisation ",
    h("span", { class: "shape person" }), "person ",
    h("span", { class: "shape official" }), "official ",
    h("span", { class: "shape case" }), "case ",
    h("span", { class: "line inferred" }), "inferred (shared contact) ",
    h("span", { class: "line past" }), "past tie ",
    h("span", { class: "ring restricted" }), "has measures ",
    h("span", { class: "ring redlisted" }), "red list",
  );
}

