// The network picture: cytoscape.js (vendored, canvas) drawing the GraphView answers of the
// API. Node ids are party ids and case numbers, edge ids the API's own, so answers of
// different queries (neighbours, paths, expansions) merge without duplicates.

import cytoscape from "/static/vendor/cytoscape@3.35.0/cytoscape.esm.min.mjs";
import dagre from "/static/vendor/cytoscape-dagre@4.0.1/cytoscape-dagre.min.mjs";

cytoscape.use(dagre);

/** Relationship types, in the order of the filter, with the words a user reads. */
export const RELATION_TYPES = [
  ["HOLDS_SHARES", "持股 shareholding"],
  ["OFFICER_OF", "任职 officer"],
  ["LEGAL_REP_OF", "法定代表人 legal rep."],
  ["BRANCH_OF", "分支机构 branch"],
  ["EMPLOYED_AT", "任职单位 employment"],
  ["SHARES_CONTACT", "疑似关联 shared contact (inferred)"],
  ["PARTY_TO", "当事人 party to case"],
  ["HANDLED", "承办 handled case"],
  ["INTERVENED_IN", "干预/过问 intervention"],
  ["HEARD_BY", "审理法院 heard by"],
];

const COLOURS = {
  HOLDS_SHARES: "#2f6fb0",
  OFFICER_OF: "#5b8c5a",
  LEGAL_REP_OF: "#8d6e63",
  BRANCH_OF: "#607d8b",
  EMPLOYED_AT: "#7e57c2",
  SHARES_CONTACT: "#9e9e9e",
  PARTY_TO: "#ef8f00",
  HANDLED: "#6d4c41",
  INTERVENED_IN: "#c62828",
  HEARD_BY: "#78909c",
};

const STYLE = [
  {
    selector: "node",
    style: {
      label: "data(label)",
      "font-size": 11,
      "font-family": "Noto Sans CJK SC, sans-serif",
      "text-valign": "bottom",
      "text-margin-y": 4,
      "text-wrap": "ellipsis",
      "text-max-width": 140,
      width: 30,
      height: 30,
      "background-color": "#90a4ae",
      "border-width": 1,
      "border-color": "#37474f",
    },
  },
  // 股权穿透图 convention: square for legal persons, circle for natural persons.
  { selector: "node.company", style: { shape: "round-rectangle", "background-color": "#4a7bb7" } },
  { selector: "node.person", style: { shape: "ellipse", "background-color": "#5a9e6f" } },
  { selector: "node.official", style: { shape: "diamond", "background-color": "#8a5fb5" } },
  { selector: "node.case", style: { shape: "tag", "background-color": "#e09b3d" } },
  { selector: "node.restricted", style: { "border-width": 4, "border-color": "#c62828" } },
  { selector: "node.redlisted", style: { "border-width": 4, "border-color": "#2e7d32" } },
  { selector: "node.root", style: { width: 44, height: 44, "font-weight": "bold", "font-size": 13 } },
  { selector: "node.tree", style: { "text-wrap": "wrap", "text-max-width": 160 } },
  { selector: "node.expanded", style: { "border-style": "double", "border-width": 5 } },
  {
    selector: "node.more",
    style: {
      shape: "round-rectangle",
      "background-color": "#fff8e1",
      "border-style": "dashed",
      "border-color": "#f9a825",
      width: 60,
      height: 22,
      label: "data(label)",
      "text-valign": "center",
      "text-margin-y": 0,
      "font-size": 10,
    },
  },
  {
    selector: "edge",
    style: {
      width: 2,
      "curve-style": "bezier",
      "target-arrow-shape": "triangle",
      "arrow-scale": 0.8,
      label: "data(label)",
      "font-size": 9,
      "text-rotation": "autorotate",
      "text-background-color": "#ffffff",
      "text-background-opacity": 0.85,
      "text-background-padding": 1,
      color: "#37474f",
    },
  },
  ...Object.entries(COLOURS).map(([type, colour]) => ({
    selector: `edge[type = "${type}"]`,
    style: { "line-color": colour, "target-arrow-color": colour },
  })),
  { selector: "edge[stake >= 0]", style: { width: "mapData(stake, 0, 100, 1.5, 7)" } },
  // Inferred links (shared contacts, 疑似关联) are leads, not registered facts: dashed.
  { selector: "edge.inferred", style: { "line-style": "dashed", "line-dash-pattern": [6, 4] } },
  { selector: "edge.past", style: { "line-style": "dotted", opacity: 0.5 } },
  { selector: "edge.measure-path", style: { "line-style": "dashed", "line-color": "#d81b60" } },
  { selector: ".filtered", style: { display: "none" } },
  { selector: ".dimmed", style: { opacity: 0.12 } },
  {
    selector: "node.highlight",
    style: { "border-width": 5, "border-color": "#d81b60", "z-index": 20 },
  },
  {
    selector: "edge.highlight",
    style: {
      "line-color": "#d81b60",
      "target-arrow-color": "#d81b60",
      width: 5,
      "z-index": 20,
      opacity: 1,
    },
  },
  { selector: ":selected", style: { "overlay-color": "#1565c0", "overlay-opacity": 0.18 } },
];

/** Nodes per ring when an expansion's new nodes are placed around the expanded one. */
const RING = 12;

/** A drawing of the network in `container`. */
export class Network {
  constructor(container, { onSelect = () => {}, onExpand = () => {} } = {}) {
    this.cy = cytoscape({
      container,
      style: STYLE,
      minZoom: 0.1,
      maxZoom: 2,
      boxSelectionEnabled: false,
    });
    this.hidden = new Set(); // relationship types the filter hides
    this.cy.on("tap", "node, edge", (event) => onSelect(event.target));
    this.cy.on("tap", (event) => event.target === this.cy && onSelect(null));
    this.cy.on("dbltap", "node", (event) => onExpand(event.target.id()));
  }

  clear() {
    this.cy.elements().remove();
  }

  /** Adds the nodes and edges of a GraphView; returns the ids of nodes that were new. */
  add(view, { rootId = null } = {}) {
    const added = [];
    this.cy.batch(() => {
      for (const node of view.nodes) {
        if (this.cy.getElementById(node.id).nonempty()) continue;
        this.cy.add({ group: "nodes", data: nodeData(node), classes: nodeClasses(node) });
        added.push(node.id);
      }
      for (const edge of view.edges) this.addEdge(edge);
      if (rootId) this.cy.getElementById(rootId).addClass("root");
    });
    this.applyFilter();
    return added;
  }

  /** Adds one edge unless it is drawn already (same id, or same type and ends). */
  addEdge(edge, extraClasses = "") {
    const twin = this.cy.edges().filter(
      (e) => e.data("type") === edge.type && e.source().id() === edge.source && e.target().id() === edge.target,
    );
    if (this.cy.getElementById(edge.id).nonempty() || twin.nonempty()) return;
    if (this.cy.getElementById(edge.source).empty() || this.cy.getElementById(edge.target).empty()) return;
    const classes = [edge.inferred ? "inferred" : "", edge.active === false ? "past" : "", extraClasses];
    this.cy.add({ group: "edges", data: edgeData(edge), classes: classes.join(" ").trim() });
  }

  /** Adds a placeholder node saying how many ties of `ofId` are not drawn. */
  setMore(ofId, count) {
    const id = `more:${ofId}`;
    this.cy.remove(this.cy.getElementById(id));
    if (count <= 0) return;
    this.cy.add([
      { group: "nodes", data: { id, label: `+${count} more`, moreOf: ofId }, classes: "more" },
      { group: "edges", data: { id: `${id}:edge`, source: ofId, target: id, label: "" }, classes: "inferred" },
    ]);
  }

  /** Hides edges of the unchecked types (and nodes left without a visible edge). */
  setHidden(types) {
    this.hidden = new Set(types);
    this.applyFilter();
  }

  applyFilter() {
    this.cy.batch(() => {
      this.cy.elements().removeClass("filtered");
      this.cy.edges().forEach((e) => {
        if (this.hidden.has(e.data("type"))) e.addClass("filtered");
      });
      this.cy.nodes().forEach((n) => {
        if (n.hasClass("root") || n.connectedEdges().length === 0) return;
        if (n.connectedEdges().every((e) => e.hasClass("filtered"))) n.addClass("filtered");
      });
    });
  }

  /** Highlights the given node and edge ids and dims everything else; none: clears. */
  highlight(nodeIds = [], edgeIds = []) {
    this.cy.batch(() => {
      this.cy.elements().removeClass("highlight dimmed");
      if (!nodeIds.length && !edgeIds.length) return;
      const chosen = this.cy.collection();
      for (const id of [...nodeIds, ...edgeIds]) chosen.merge(this.cy.getElementById(id));
      chosen.addClass("highlight");
      this.cy.elements().difference(chosen).addClass("dimmed");
    });
  }

  highlighted() {
    return this.cy.elements(".highlight");
  }

  /** Force-directed layout for networks, or a layered tree (dagre) for ownership. */
  layout(kind = "network", options = {}) {
    const visible = this.cy.elements().not(".filtered");
    const settings =
      kind === "tree"
        ? { name: "dagre", rankDir: options.rankDir || "TB", nodeSep: 130, rankSep: 110, animate: false }
        : { name: "cose", animate: false, nodeRepulsion: () => 9000, idealEdgeLength: () => 90, randomize: false };
    visible.layout({ ...settings, fit: true, padding: 30 }).run();
  }

  /**
   * Places nodes `ids` (just drawn) on rings around node `centerId`, leaves every other node
   * where it is, and fits the view: an expansion's layout. Laying the whole picture out again
   * (cose) moved what the user was looking at and cost more as the picture grew (about 140 ms
   * of a 260 ms expansion at 40 nodes, issue 13); "Layout" still lays out everything.
   */
  placeAround(centerId, ids) {
    const center = this.cy.getElementById(centerId);
    const placed = ids.map((id) => this.cy.getElementById(id)).filter((n) => n.nonempty());
    if (center.empty() || !placed.length) return;
    const { x, y } = center.position();
    this.cy.batch(() =>
      placed.forEach((node, i) => {
        const ring = Math.floor(i / RING);
        const onRing = Math.min(RING, placed.length - ring * RING);
        const angle = (2 * Math.PI * (i % RING)) / onRing + ring * 0.3;
        const radius = 120 + ring * 80;
        node.position({ x: x + radius * Math.cos(angle), y: y + radius * Math.sin(angle) });
      }),
    );
    this.cy.fit(this.cy.elements().not(".filtered"), 30);
  }

  /** The picture as a PNG Blob (the whole graph, white background, twice the pixels). */
  png() {
    return this.cy.png({ output: "blob", bg: "#ffffff", full: true, scale: 2 });
  }

  neighbourIds(id) {
    return this.cy.getElementById(id).neighborhood("node").map((n) => n.id());
  }
}

function nodeData(node) {
  const partyId = node.partyId || node.id; // tree nodes are chains; partyId is the party
  return { id: node.id, label: node.label, kind: node.kind, depth: node.depth, partyId, raw: node };
}

function nodeClasses(node) {
  const report = node.party?.creditReport;
  const classes = [node.kind, ...(node.classes || [])];
  if (report?.seriousDishonesty || report?.measures?.length) classes.push("restricted");
  else if (report?.redListed) classes.push("redlisted");
  return classes.join(" ");
}

function edgeData(edge) {
  const data = {
    id: edge.id,
    source: edge.source,
    target: edge.target,
    type: edge.type,
    label: edgeLabel(edge),
    raw: edge,
  };
  if (edge.stakePct !== null && edge.stakePct !== undefined) data.stake = edge.stakePct;
  return data;
}

/** The label on an edge: the API's short text, and the year it began (dated edges). */
function edgeLabel(edge) {
  const since = edge.since ? ` ${edge.since.slice(0, 4)}` : "";
  const until = edge.until ? `–${edge.until.slice(0, 4)}` : "";
  return `${edge.label || edge.type}${since}${until}`;
}
