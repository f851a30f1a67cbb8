// The workbench's entry point: sign-in, the header, and hash routes to the views.
//   #/signin                 sign in with an investigator key
//   #/  or #/search?q=…      search parties by name
//   #/party/ID[?on=&to=]     party card and its network (as of a day; a connection to another)
//   #/party/ID/ownership     ownership penetration tree and actual controllers
//   #/case/CASE_NO           a case: parties, officials, interventions

import { session, whenSignedOut, whoAmI, ApiError, SignedOut } from "./api.js";
import { h, fill, notice } from "./dom.js";
import { searchView } from "./search.js";
import { partyView } from "./party.js";
import { ownershipView } from "./ownership.js";
import { caseView } from "./case.js";

const view = document.getElementById("view");
const who = document.getElementById("who");
const NEXT = "credit-graph.next";
const USER = "credit-graph.user";
let dispose = null; // the current view's cleanup (e.g. the graph's canvas)
let signInMessage = null;

// For tests and the curious: the current drawing (window.workbench.cy is cytoscape's core).
window.workbench = { cy: null };

const ROUTES = [
  [/^\/signin$/, () => signInView()],
  [/^\/(search)?$/, (m, q) => searchView(view, q)],
  [/^\/party\/([^/?]+)$/, (m, q) => partyView(view, decode(m[1]), q)],
  [/^\/party\/([^/?]+)\/ownership$/, (m, q) => ownershipView(view, decode(m[1]), q)],
  [/^\/case\/([^/?]+)$/, (m) => caseView(view, decode(m[1]))],
];

function decode(part) {
  try {
    return decodeURIComponent(part);
  } catch {
    throw new ApiError(`The address part "${part}" is not valid (bad % escape).`, "bad_address", 0);
  }
}

async function route() {
  if (dispose) dispose();
  dispose = null;
  window.workbench.cy = null;
  const hash = window.location.hash.replace(/^#/, "") || "/";
  const [path, query = ""] = hash.split("?", 2);
  if (!session.key() && path !== "/signin") {
    sessionStorage.setItem(NEXT, hash);
    window.location.hash = "#/signin";
    return;
  }
  showUser();
  const match = ROUTES.map(([re, render]) => [re.exec(path), render]).find(([m]) => m);
  if (!match) {
    fill(view, notice("error", `There is no page at “#${hash}”. `, h("a", { href: "#/" }, "Search parties")));
    return;
  }
  try {
    dispose = (await match[1](match[0], new URLSearchParams(query))) || null;
  } catch (error) {
    if (error instanceof SignedOut) return; // whenSignedOut has taken the user to sign-in
    fill(view, notice("error", error.message || String(error)));
  }
}

function signInView() {
  const input = h("input", {
    type: "password",
    id: "key",
    name: "key",
    autocomplete: "off",
    placeholder: "cgk_…",
    required: true,
    size: 70,
  });
  const message = h("div", { id: "signin-message" });
  if (signInMessage) fill(message, notice("error", signInMessage));
  const form = h(
    "form",
    { class: "signin", onsubmit: (event) => submit(event, input, message) },
    h("h1", {}, "信用关系工作台 · Investigator workbench"),
    h("p", {}, "Sign in with your investigator API key. It is kept for this browser tab's session only."),
    h("label", { for: "key" }, "API key"),
    input,
    h("button", { type: "submit" }, "Sign in"),
    message,
    h("p", { class: "hint" }, "Keys are issued by the operator: credit-graph keys create --role investigator --name …"),
  );
  fill(view, form);
  input.focus();
}

async function submit(event, input, message) {
  event.preventDefault();
  const key = input.value.trim();
  try {
    const me = await whoAmI(key);
    if (!me.may_explore) {
      fill(message, notice("error", `The key “${me.name}” has the role ${me.role}: the workbench needs an investigator or admin key.`));
      return;
    }
    session.signIn(key);
    sessionStorage.setItem(USER, JSON.stringify(me));
    signInMessage = null;
    window.location.hash = sessionStorage.getItem(NEXT) || "#/";
    sessionStorage.removeItem(NEXT);
  } catch (error) {
    const text = error instanceof SignedOut ? "This key was refused: it is unknown, revoked or malformed." : error.message;
    fill(message, notice("error", text));
  }
}

function showUser() {
  const me = JSON.parse(sessionStorage.getItem(USER) || "null");
  if (!session.key() || !me) {
    fill(who);
    return;
  }
  fill(who, h("span", {}, `${me.name} (${me.role})`), " ", h("button", { type: "button", onclick: signOut }, "Sign out"));
}

function signOut() {
  session.signOut();
  sessionStorage.removeItem(USER);
  window.location.hash = "#/signin";
}

whenSignedOut(() => {
  signInMessage = "Your key was refused (expired, revoked or unknown): sign in again.";
  const hash = window.location.hash.replace(/^#/, "");
  if (hash && hash !== "/signin") sessionStorage.setItem(NEXT, hash);
  session.signOut();
  sessionStorage.removeItem(USER);
  if (window.location.hash === "#/signin") route();
  else window.location.hash = "#/signin";
});

window.addEventListener("hashchange", route);
route();
