// A case (司法公信): its court, parties and officials, and the interventions recorded against
// officials (干预/过问) drawn in red, with the records that refer to the case.

import { gql, unwrap, ApiError } from "./api.js";
import { h, fill, facts, notice, table, period, saveBlob, partyRoute } from "./dom.js";
import { Network } from "./graph.js";
import { caseView as caseGraph } from "./expand.js";
import { CASE } from "./queries.js";
import { provenanceText } from "./card.js";

export async function caseView(view, caseNo) {
  const found = unwrap((await gql(CASE, { caseNo, first: 100 })).case, `Case “${caseNo}”`);
  if (!found) throw new ApiError(`No case numbered “${caseNo}” is in the graph.`, "not_found", 404);
  const canvas = h("div", { class: "canvas", id: "case-graph" });
  const png = h("button", { type: "button", id: "export-png" }, "PNG");
  fill(view, h("div", { class: "party-view" }, side(found), h("section", { class: "graph-panel" },
    h("div", { class: "toolbar" }, h("strong", {}, found.caseNo), png),
    h("div", { class: "status", id: "graph-status" }, `${found.parties.totalCount} parties, ${found.officials.totalCount} officials, ${found.interventions.totalCount} interventions.`),
    h("div", { class: "graph-body" }, canvas))));
  const network = new Network(canvas, { onSelect: () => {}, onExpand: (id) => { if (!id.includes("(")) window.location.hash = partyRoute(id); } });
  window.workbench.cy = network.cy;
  network.add(caseGraph(found), { rootId: found.caseNo });
  network.layout("tree", { rankDir: "LR" });
  png.addEventListener("click", async () => saveBlob(await network.png(), `case-${found.caseNo}.png`));
  return () => network.cy.destroy();
}

function side(c) {
  const link = (p) => h("a", { href: partyRoute(p.id) }, p.name || p.id);
  return h("div", { class: "card", id: "case-card" },
    h("h1", {}, c.caseNo),
    c.knownOnlyFrom ? notice("info", `Known only from the ${c.knownOnlyFrom} registry.`) : null,
    facts([["type", c.caseType], ["cause 案由", c.cause], ["filed", c.filedOn], ["closed", c.closedOn],
      ["court", c.court ? link(c.court) : c.courtName], ["source", provenanceText(c.provenance)]]),
    h("h2", {}, `Parties 当事人 (${c.parties.totalCount})`),
    table(["role", "party"], c.parties.nodes.map((p) => [p.role, link(p.party)])),
    h("h2", {}, `Officials 承办人员 (${c.officials.totalCount})`),
    table(["role", "official"], c.officials.nodes.map((o) => [o.role, link(o.official)])),
    h("h2", {}, `Interventions 干预/过问 (${c.interventions.totalCount})`),
    c.interventions.totalCount
      ? table(["kind", "date", "official", "description", "record"], c.interventions.nodes.map((i) =>
        [h("span", { class: "bad" }, i.kind), i.occurredOn, link(i.official), i.description, i.recordNo]), { id: "interventions" })
      : h("p", {}, "None recorded."),
    h("h2", {}, `Records 记录 (${c.records.totalCount})`),
    table(["kind", "ref", "period", "state", "authority"], c.records.nodes.map((r) =>
      [r.kind, r.ref, period(r.start, r.end), r.active ? "active" : `past (${r.status})`, r.authority])));
}
