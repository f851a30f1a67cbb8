// The party card: identity, credit summary with the decision in each context, measures with
// their explanations (record, rule, legal basis, path), peripheral risk as a lead, records
// active and past with provenance, and cases.

import { gql } from "./api.js";
import { h, fill, facts, notice, table, period, caseRoute, partyRoute } from "./dom.js";
import { RECORDS } from "./queries.js";

/** The card's element; `onShowPath(measure)` draws a measure's path on the graph. */
export function partyCard(party, { onShowPath }) {
  return h(
    "div",
    { class: "card", id: "party-card" },
    identity(party),
    summary(party.creditReport),
    risk(party.riskScore),
    measures(party, onShowPath),
    records(party.id),
    cases(party.cases),
  );
}

function identity(p) {
  const type = { Company: "企业/机构 company", Person: "自然人 person", Official: "公职人员 official" }[p.__typename];
  return h(
    "section",
    {},
    h("h1", { id: "party-name" }, p.name || p.id),
    h("div", { class: "badges" }, h("span", { class: "badge" }, type),
      p.creditReport.seriousDishonesty ? h("span", { class: "badge bad" }, "严重失信 serious dishonesty") : null,
      p.creditReport.redListed ? h("span", { class: "badge good" }, "红名单 red list") : null),
    p.knownOnlyFrom ? notice("info", `Known only from the ${p.knownOnlyFrom} registry: its own registry row is not loaded.`) : null,
    facts([
      ["id", h("code", {}, p.id)],
      ["USCC", p.uscc],
      ["resident id", p.idNumber],
      ["organisation", p.orgKind],
      ["status", p.status],
      ["legal rep.", p.legalRepresentative ? h("a", { href: partyRoute(p.legalRepresentative.id) }, p.legalRepresentative.name) : p.legalRepName],
      ["capital (CNY)", p.registeredCapitalCny?.toLocaleString("zh-CN")],
      ["established", p.establishedOn],
      ["industry", p.industry],
      ["address", p.address],
      ["gender", p.gender],
      ["born", p.birthDate],
      ["district", p.districtCode],
      ["source", provenanceText(p.provenance)],
    ]),
  );
}

function summary(report) {
  const chips = (report.decisions || []).map((d) =>
    h("tr", {}, h("td", {}, d.context), h("td", {}, h("span", { class: `decision ${d.decision}` }, d.decision)), h("td", {}, d.measures?.join(", ") || "")),
  );
  return h(
    "section",
    { id: "summary" },
    h("h2", {}, "Summary 信用概况"),
    h("p", { class: "headline" }, report.headline),
    facts([
      ["as of", report.asOf],
      ["active records", report.activeRecords],
      ["past records", report.inactiveRecords],
      ["by kind", report.activeByKind.map((k) => `${k.kind} ×${k.count}`).join(", ")],
      ["cases", report.caseCount],
      ["bribery convictions", report.briberyConvictions || null],
    ]),
    h("h3", {}, "Decision in each context 各场景决定"),
    h("table", { class: "decisions" }, h("tbody", {}, chips)),
  );
}

function risk(score) {
  if (score === null || score === undefined) return null;
  return notice(
    "lead",
    h("strong", {}, `周边风险 peripheral risk ${score.toFixed(2)}`),
    " — a lead for investigation, not a decision: it restricts nothing and is not a measure.",
  );
}

function measures(party, onShowPath) {
  const items = party.measures.map((m) =>
    h(
      "li",
      { class: "measure" },
      h("div", {}, h("strong", {}, m.measure), " ", h("span", { class: "badge" }, m.origin === "DERIVED" ? `derived · rule ${m.rule}` : "direct")),
      h("p", { class: "explanation" }, m.explanation),
      facts([
        ["record", [m.recordKind, m.recordRef].filter(Boolean).join(" · ")],
        ["authority", m.authority],
        ["record period", period(m.recordStart, m.recordEnd)],
        ["legal basis", m.basis],
        ["until", m.until],
      ]),
      m.path.length > 1
        ? h("button", { type: "button", class: "show-path", onclick: () => onShowPath(m) }, `Show path on the graph (${m.path.length - 1} hops)`)
        : null,
    ),
  );
  return h(
    "section",
    { id: "measures" },
    h("h2", {}, `Measures 联合惩戒措施 (${party.measures.length})`),
    party.measuresDate ? h("p", { class: "hint" }, `Stored by the propagation run for ${party.measuresDate}.`) : null,
    items.length ? h("ul", { class: "measures" }, items) : h("p", {}, "No measures."),
  );
}

function records(id) {
  const body = h("div", {}, h("p", { class: "hint" }, "Loading records…"));
  const section = h("section", { id: "records" }, h("h2", {}, "Records 信用记录 (active and past)"), body);
  loadRecords(id, body, null).catch((error) => fill(body, notice("error", error.message)));
  return section;
}

async function loadRecords(id, body, after) {
  const found = (await gql(RECORDS, { id, after })).party.records;
  const rows = found.nodes.map((r) => [
    r.kind,
    r.ref,
    period(r.start, r.end),
    h("span", { class: r.active ? "bad" : "past" }, r.active ? "active" : `past (${r.status}${r.voidedOn ? " " + r.voidedOn : ""})`),
    r.authority,
    [provenanceText(r.provenance), ...r.updates.map((u) => h("div", { class: "update" }, `${u.status} ${u.effectiveOn || ""} ${u.reason || ""}`))],
  ]);
  const list = table(["kind", "ref", "period", "state", "authority", "source / updates"], rows, { class: "records" });
  if (!after && !found.totalCount) {
    fill(body, h("p", {}, "No records."));
    return;
  }
  if (!after) fill(body, h("p", { class: "hint" }, `${found.totalCount} records`), list);
  else body.querySelector("tbody").append(...list.querySelectorAll("tbody tr"));
  body.querySelector(".more")?.remove();
  if (found.pageInfo.hasNextPage) {
    body.append(h("button", { class: "more", type: "button", onclick: () => loadRecords(id, body, found.pageInfo.endCursor) }, "More records"));
  }
}

function cases(list) {
  if (!list.totalCount) return null;
  return h(
    "section",
    { id: "cases" },
    h("h2", {}, `Cases 案件 (${list.totalCount})`),
    h("ul", {}, list.nodes.map((c) => h("li", {}, h("a", { href: caseRoute(c.case.caseNo) }, c.case.caseNo), ` ${c.role || ""} · ${c.case.cause || c.case.caseType || ""}`))),
  );
}

/** "shareholdings.csv row 4 (load 3f2a…)" */
export function provenanceText(p) {
  if (!p) return null;
  const where = [p.srcFile || p.srcKind, p.srcRow ? `row ${p.srcRow}` : null].filter(Boolean).join(" ");
  return `${where}${p.loadId ? ` (load ${p.loadId.slice(0, 8)})` : ""}`;
}
