// Expanding a node with a guard for hubs: count first, draw at most CAP ties at a time.
// A court or a big company may have ten thousand ties; drawing them all would freeze the tab
// and tell nobody anything. So the counts (one cheap query) come first; up to CAP ties are
// drawn at once, beyond it the user picks a type and draws CAP more at a time ("N more").

import { gql, unwrap } from "./api.js";
import { h, fill, caseRoute } from "./dom.js";
import { NEIGHBOURS, TIE_COUNTS, CASE } from "./queries.js";

export const CAP = 20;
const MAX_NODES = 500; // the API's cap on neighbours(maxNodes:)

/** Ties per relationship type of a party, both directions together (null counts: unknown). */
export async function tieCounts(id, activeOn) {
  const p = (await gql(TIE_COUNTS, { id, activeOn })).party;
  if (!p || p.__typename === "InvalidInputError") return {};
  const counts = {};
  for (const { type, count } of p.tieCounts) counts[type] = (counts[type] ?? 0) + count;
  return counts;
}

/** Asks for the neighbours of a party of the given types, enough for `cap` new ones. */
function fetchNeighbours(network, id, { types, activeOn, cap = CAP }) {
  const drawn = network.neighbourIds(id).length;
  const maxNodes = Math.min(MAX_NODES, drawn + cap + 1);
  const answer = gql(NEIGHBOURS, { id, types, activeOn, depth: 1, maxNodes });
  return { maxNodes, answer };
}

/** Draws at most `cap` new neighbours out of a neighbours answer. */
async function drawAnswer(network, { maxNodes, answer }, cap = CAP) {
  const result = unwrap((await answer).party, "Party");
  const view = unwrap(result.neighbours, "Neighbours");
  const fresh = view.nodes.filter((n) => network.cy.getElementById(n.id).empty()).slice(0, cap);
  const keep = new Set([...fresh.map((n) => n.id), ...network.cy.nodes().map((n) => n.id())]);
  network.add({ nodes: fresh, edges: view.edges.filter((e) => keep.has(e.source) && keep.has(e.target)) });
  return { added: fresh.length, truncated: view.truncated, atCap: maxNodes === MAX_NODES };
}

/** Draws the neighbours of a party of the given types, at most `cap` new ones. */
export async function drawNeighbours(network, id, { types, activeOn, cap = CAP }) {
  return drawAnswer(network, fetchNeighbours(network, id, { types, activeOn, cap }), cap);
}

/**
 * Expands node `id`: small neighbourhoods at once, hubs through the guard in `panel`.
 * Returns a short text for the status line.
 */
export async function expand(network, id, { types, activeOn, panel, onChange }) {
  const node = network.cy.getElementById(id);
  if (node.data("kind") === "case") return expandCase(network, id, panel);
  // Both questions leave together: most nodes are small, and waiting for the counts before
  // asking for the ties made every expansion two round trips in a row (p99 245 ms, issue 13).
  // For a hub the neighbours answer is capped (maxNodes) and simply not drawn.
  const speculative = fetchNeighbours(network, id, { types, activeOn });
  speculative.answer.catch(() => {}); // a hub's unused answer must not surface as an unhandled rejection
  const counts = await tieCounts(id, activeOn);
  const chosen = Object.entries(counts).filter(([type, count]) => types.includes(type) && count > 0);
  const total = chosen.reduce((sum, [, count]) => sum + count, 0);
  node.addClass("expanded");
  if (total <= CAP) {
    const result = await drawAnswer(network, speculative);
    network.setMore(id, 0);
    if (!result.truncated) return `${node.data("label")}: ${result.added} new ties drawn.`;
  }
  guard(network, id, chosen, { activeOn, panel, onChange });
  network.setMore(id, total - network.neighbourIds(id).filter((n) => !n.startsWith("more:")).length);
  return `${node.data("label")} has ${total.toLocaleString()} ties: choose which to draw.`;
}

/** The hub guard: per type, the count and a button drawing CAP more. */
function guard(network, id, chosen, { activeOn, panel, onChange }) {
  const label = network.cy.getElementById(id).data("label");
  const total = chosen.reduce((sum, [, count]) => sum + count, 0);
  const rows = chosen.map(([type, count]) => {
    const status = h("span", { class: "hint" });
    const button = h("button", { type: "button", class: "draw-more", dataset: { type } }, `Draw ${CAP} more`);
    button.addEventListener("click", async () => {
      button.disabled = true;
      const result = await drawNeighbours(network, id, { types: [type], activeOn });
      const drawn = network.neighbourIds(id).filter((n) => !n.startsWith("more:")).length;
      network.setMore(id, Math.max(0, total - drawn));
      fill(status, result.atCap && result.truncated ? `at most ${MAX_NODES} can be drawn; use a date or GraphQL for the rest` : `drawn: ${drawn}`);
      button.disabled = result.added === 0 || (result.atCap && result.truncated);
      onChange();
    });
    return h("tr", {}, h("td", {}, type), h("td", { class: "num" }, count.toLocaleString()), h("td", {}, button, " ", status));
  });
  fill(
    panel,
    h("h3", {}, `Expand ${label}`),
    h("p", { class: "guard" }, `${total.toLocaleString()} ties — more than ${CAP} at once would make the picture unreadable. Choose a type; ${CAP} are drawn at a time.`),
    h("table", { class: "guard-table" }, h("tbody", {}, rows)),
  );
}

/** A case node: its court, parties, officials and interventions (the first CAP of each). */
async function expandCase(network, caseNo, panel) {
  const found = unwrap((await gql(CASE, { caseNo, first: CAP })).case, "Case");
  if (!found) return `Case ${caseNo} is not in the graph.`;
  const view = caseView(found);
  network.add(view);
  network.cy.getElementById(caseNo).addClass("expanded");
  const total = found.parties.totalCount + found.officials.totalCount + found.interventions.totalCount;
  const missing = total - view.nodes.length + 1 + (found.court ? 1 : 0);
  network.setMore(caseNo, Math.max(0, missing));
  if (missing > 0) {
    fill(panel, h("p", { class: "guard" }, `${missing} more ties of ${caseNo}: `, h("a", { href: caseRoute(caseNo) }, "open the case")));
  }
  return `${caseNo}: ${view.nodes.length - 1} ties drawn.`;
}

/** A case answer of the API as nodes and edges (edges as stored: party → case, case → court). */
export function caseView(found) {
  const kindOf = (party) => (party.__typename === "Official" ? "official" : party.__typename === "Person" ? "person" : "company");
  const nodes = [{ id: found.caseNo, kind: "case", label: found.caseNo, depth: 0 }];
  const edges = [];
  const addParty = (party) => {
    if (!nodes.some((n) => n.id === party.id)) nodes.push({ id: party.id, kind: kindOf(party), label: party.name || party.id, depth: 1 });
  };
  const edge = (source, target, type, label, extra = {}) =>
    edges.push({ id: `${type}:${source}:${target}:${label}`, source, target, type, label, active: true, inferred: false, ...extra });
  if (found.court) {
    addParty(found.court);
    edge(found.caseNo, found.court.id, "HEARD_BY", "heard by");
  }
  for (const { role, party } of found.parties.nodes) {
    addParty(party);
    edge(party.id, found.caseNo, "PARTY_TO", role || "party");
  }
  for (const { role, official } of found.officials.nodes) {
    addParty(official);
    edge(official.id, found.caseNo, "HANDLED", role || "handled");
  }
  for (const i of found.interventions.nodes) {
    addParty(i.official);
    edge(i.official.id, found.caseNo, "INTERVENED_IN", i.kind || "intervention", { since: i.occurredOn });
  }
  return { nodes, edges };
}
