// Ownership penetration (股权穿透图): the party with its holders fanning out level by level
// (UP) or its investments (DOWN), the direct stake on each edge and the effective stake (the
// product along the chain) on each node; the actual controllers with the chains that make them.

import { gql, unwrap, ApiError } from "./api.js";
import { h, fill, notice, table, saveBlob, partyRoute } from "./dom.js";
import { Network } from "./graph.js";
import { OWNERSHIP } from "./queries.js";

const KIND = { Company: "company", Person: "person", Official: "official" };

export async function ownershipView(view, id, query) {
  const state = {
    id,
    direction: query.get("direction") === "DOWN" ? "DOWN" : "UP",
    depth: Number(query.get("depth") || 4),
    activeOn: query.get("on") || null,
  };
  const page = {
    side: h("div", { class: "card", id: "ownership-side" }),
    canvas: h("div", { class: "canvas", id: "ownership-tree" }),
    status: h("div", { class: "status", id: "graph-status", role: "status" }),
  };
  fill(view, h("div", { class: "party-view" }, page.side, h("section", { class: "graph-panel" },
    h("nav", { class: "tabs" }, h("a", { href: partyRoute(id) }, "Network 关系图"), h("a", { href: partyRoute(id, "/ownership"), class: "active" }, "Ownership 股权穿透")),
    controls(state, page), page.status, h("div", { class: "graph-body" }, page.canvas))));
  const network = new Network(page.canvas);
  window.workbench.cy = network.cy;
  page.network = network;
  await draw(state, page);
  return () => network.cy.destroy();
}

function controls(state, page) {
  const direction = h("select", { id: "direction" },
    h("option", { value: "UP", selected: state.direction === "UP" }, "UP: who owns it 股东"),
    h("option", { value: "DOWN", selected: state.direction === "DOWN" }, "DOWN: what it owns 对外投资"));
  const depth = h("input", { type: "number", id: "depth", min: 1, max: 6, value: state.depth });
  const date = h("input", { type: "date", id: "as-of", value: state.activeOn || "" });
  const redraw = () => {
    Object.assign(state, { direction: direction.value, depth: Number(depth.value), activeOn: date.value || null });
    draw(state, page);
  };
  return h("div", { class: "toolbar" },
    h("label", {}, "Direction ", direction), h("label", {}, "Levels ", depth), h("label", {}, "As of ", date),
    h("button", { type: "button", id: "redraw", onclick: redraw }, "Redraw"),
    h("button", { type: "button", id: "export-png", onclick: async () => saveBlob(await page.network.png(), `${state.id}-ownership.png`) }, "PNG"));
}

async function draw(state, page) {
  const variables = { id: state.id, direction: state.direction, depth: state.depth, activeOn: state.activeOn };
  let party;
  try {
    party = unwrap((await gql(OWNERSHIP, variables)).party, `Party “${state.id}”`);
    if (!party) throw new ApiError(`No party with the identifier “${state.id}” is in the graph.`, "not_found", 404);
  } catch (error) {
    fill(page.side, notice("error", error.message));
    throw error;
  }
  const tree = unwrap(party.ownershipTree, "Ownership tree");
  const network = page.network;
  network.clear();
  network.add(treeView(party, tree), { rootId: party.id });
  network.layout("tree", { rankDir: "TB" });
  const day = `as of ${tree.asOf}`;
  fill(page.status, tree.entries.length
    ? `${tree.entries.length} chains ${day}${tree.truncated ? " — truncated: more chains exist" : ""}. Edges: direct stake; nodes: effective stake.`
    : `No ${state.direction === "UP" ? "holders" : "holdings"} ${day}.`);
  fill(page.side, sidePanel(party, tree, network));
}

/** Nodes per chain (a party reached by two chains appears twice, as in a tree), edges per hop. */
function treeView(party, tree) {
  const nodeId = (chain) => (chain.length === 1 ? party.id : `chain:${chain.join(">")}`);
  const nodes = [{ id: party.id, kind: KIND[party.__typename] || "company", label: party.name || party.id, depth: 0, classes: ["tree"] }];
  const edges = [];
  for (const entry of tree.entries) {
    const id = nodeId(entry.chain);
    const parent = nodeId(entry.chain.slice(0, -1));
    const label = `${entry.party.name || entry.party.id}\n${pct(entry.effectivePct)} effective`;
    nodes.push({ id, kind: KIND[entry.party.__typename] || "company", label, depth: entry.depth, partyId: entry.party.id, classes: ["tree"] });
    const [source, target] = tree.direction === "UP" ? [id, parent] : [parent, id];
    edges.push({ id: `hold:${id}`, source, target, type: "HOLDS_SHARES", label: pct(entry.stakePct), stakePct: entry.stakePct, active: true, inferred: false });
  }
  return { nodes, edges };
}

function sidePanel(party, tree, network) {
  const effective = tree.effective.map((e) => [
    h("a", { href: partyRoute(e.party.id) }, e.party.name || e.party.id), pct(e.effectivePct), e.chains,
  ]);
  return h("div", {},
    h("h1", {}, party.name || party.id),
    h("p", { class: "hint" }, "股权穿透 ownership penetration. Effective stake = product of the stakes along a chain, summed over chains."),
    h("h2", {}, "Effective stakes"),
    effective.length ? table(["party", "effective", "chains"], effective, { class: "effective" }) : h("p", {}, "None."),
    controllers(party.actualControllers, network));
}

function controllers(list, network) {
  if (list === undefined) return null; // persons have no controllers
  const items = list.map((c) =>
    h("li", { class: "controller" },
      h("a", { href: partyRoute(c.party.id) }, c.party.name || c.party.id),
      c.ultimate ? h("span", { class: "badge bad" }, "ultimate 最终") : null,
      h("ul", {}, c.chains.map((chain) => h("li", { class: "chain" }, chainText(chain)))),
      h("button", { type: "button", class: "highlight-chain", onclick: () => highlightChains(network, c) }, "Highlight on the tree")),
  );
  return h("section", { id: "controllers" },
    h("h2", {}, "Actual controllers 实际控制人"),
    items.length ? h("ul", {}, items) : h("p", {}, "Nobody controls it under the policy (no active stake > 50%, no actual_controller role)."));
}

function chainText(chain) {
  return chain.map((link, i) => {
    const how = `${link.relations.join("+")}${link.stakePct != null ? ` ${pct(link.stakePct)}` : ""}`;
    return `${i === 0 ? link.controller.name || link.controller.id : ""} —${how}→ ${link.controlled.name || link.controlled.id}`;
  }).join("");
}

function highlightChains(network, controller) {
  const parties = new Set(controller.chains.flat().flatMap((l) => [l.controller.id, l.controlled.id]));
  const nodes = network.cy.nodes().filter((n) => parties.has(n.data("partyId")));
  const edges = nodes.edgesWith(nodes);
  network.highlight(nodes.map((n) => n.id()), edges.map((e) => e.id()));
}

function pct(value) {
  return value === null || value === undefined ? "" : `${Number(value.toFixed(2))}%`;
}
