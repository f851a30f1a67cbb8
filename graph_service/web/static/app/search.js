// Search parties by name (Chinese substring: the cjk analyzer indexes character pairs) with
// the API's filters; a hit opens the party.

import { gql, unwrap } from "./api.js";
import { h, fill, notice, table, partyRoute } from "./dom.js";
import { SEARCH } from "./queries.js";

const ORG_KINDS = [
  "enterprise", "individual_business", "institution", "social_org", "gov_agency", "court",
  "procuratorate", "hospital", "school",
];

export async function searchView(view, query) {
  const text = query.get("q") || "";
  const form = searchForm(query);
  const results = h("div", { id: "results" });
  fill(view, h("section", { class: "search" }, h("h1", {}, "Search parties 查询主体"), form, results));
  if (text) await run(results, query, null);
  else form.querySelector("input[name=q]").focus();
}

function searchForm(query) {
  const select = (name, options) =>
    h(
      "select",
      { name },
      options.map(([value, text]) => h("option", { value, selected: query.get(name) === value }, text)),
    );
  return h(
    "form",
    { class: "search-form", onsubmit: submit },
    h("input", { name: "q", type: "search", value: query.get("q") || "", placeholder: "名称, e.g. 华北建设", required: true, size: 30 }),
    select("kind", [["", "any kind"], ["COMPANY", "company 企业/机构"], ["PERSON", "person 自然人"]]),
    h("input", { name: "district", value: query.get("district") || "", placeholder: "district, e.g. 1301", size: 10 }),
    select("orgKind", [["", "any organisation"], ...ORG_KINDS.map((k) => [k, k])]),
    select("measures", [["", "with or without measures"], ["yes", "with active measures"], ["no", "without measures"]]),
    h("button", { type: "submit" }, "Search"),
  );
}

function submit(event) {
  event.preventDefault();
  const data = new FormData(event.target);
  const params = new URLSearchParams();
  for (const [name, value] of data) if (String(value).trim()) params.set(name, String(value).trim());
  window.location.hash = `#/search?${params}`;
}

async function run(results, query, after) {
  const variables = {
    text: query.get("q"),
    kind: query.get("kind") || null,
    district: query.get("district") || null,
    orgKind: query.get("orgKind") || null,
    hasActiveMeasure: query.get("measures") ? query.get("measures") === "yes" : null,
    after,
  };
  const found = unwrap((await gql(SEARCH, variables)).searchParties, "Search");
  if (!after && !found.nodes.length) {
    fill(results, notice("info", `No party’s name matches “${variables.text}” with these filters.`));
    return;
  }
  const rows = found.nodes.map(({ party, score }) => [
    h("a", { href: partyRoute(party.id), class: "party-link" }, party.name || party.id),
    h("code", {}, party.id),
    party.__typename === "Company" ? party.orgKind || "company" : party.__typename.toLowerCase(),
    party.districtCode || "",
    h("span", { class: party.creditReport.seriousDishonesty ? "bad" : party.creditReport.redListed ? "good" : "" }, party.creditReport.headline),
    score.toFixed(2),
  ]);
  const list = table(["name 名称", "id", "kind", "district", "credit 信用", "score"], rows, { class: "hits" });
  if (after) results.querySelector("tbody").append(...list.querySelectorAll("tbody tr"));
  else fill(results, list);
  results.querySelector(".more")?.remove();
  if (found.pageInfo.hasNextPage) {
    results.append(h("button", { class: "more", type: "button", onclick: () => run(results, query, found.pageInfo.endCursor) }, "More results"));
  }
}
