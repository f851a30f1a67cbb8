// Tiny DOM helpers. Text always goes in as text nodes (never innerHTML): names and record
// fields come from registries and must not be able to inject markup.

/** An element: h("a", {href: "#/x", class: "link"}, "text", child, ...). */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on") && typeof value === "function") {
      el.addEventListener(name.slice(2), value);
    } else if (name === "dataset") {
      Object.assign(el.dataset, value);
    } else {
      el.setAttribute(name, value === true ? "" : String(value));
    }
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
}

/** Replaces the children of `el`. */
export function fill(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

/** A definition list from [label, value] pairs; empty values are left out. */
export function facts(pairs) {
  const dl = h("dl", { class: "facts" });
  for (const [label, value] of pairs) {
    if (value === null || value === undefined || value === "") continue;
    dl.append(h("dt", {}, label), h("dd", {}, value));
  }
  return dl;
}

/** A table from column titles and rows of cells. */
export function table(titles, rows, attrs = {}) {
  return h(
    "table",
    attrs,
    h("thead", {}, h("tr", {}, titles.map((t) => h("th", {}, t)))),
    h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((c) => h("td", {}, c))))),
  );
}

/** A message box: kind is "error", "info" or "lead". */
export function notice(kind, ...children) {
  return h("div", { class: `notice ${kind}`, role: kind === "error" ? "alert" : "status" }, children);
}

/** A link to a hash route, with the party or case id encoded. */
export function routeLink(text, route, attrs = {}) {
  return h("a", { href: route, ...attrs }, text);
}

export function partyRoute(id, tail = "") {
  return `#/party/${encodeURIComponent(id)}${tail}`;
}

export function caseRoute(caseNo) {
  return `#/case/${encodeURIComponent(caseNo)}`;
}

/** "2021-06-01 – now", "– 2023-01-01", or "" when neither end is known. */
export function period(since, until) {
  if (!since && !until) return "";
  return `${since || "…"} – ${until || "now"}`;
}

/** Saves a Blob as a file through a temporary link (the browser's download). */
export function saveBlob(blob, filename) {
  const url = URL.createObjectURL(blob);
  const link = h("a", { href: url, download: filename, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}
