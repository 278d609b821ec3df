import { describe, expect, it } from "vitest";
import type { FlowDocument } from "../api/types";
import { CATALOGUE } from "./catalogue.fixture";
import {
  addNode,
  connect,
  createNode,
  fromCanvas,
  isDeletable,
  moveNodes,
  newNodeId,
  portsOf,
  portsWithEdges,
  removeEdges,
  removeNodes,
  renameNode,
  specsByType,
  toCanvasEdges,
  toCanvasNodes,
  updateNodeConfig,
} from "./document";

const specs = specsByType(CATALOGUE);
const spec = (type: string) => specs.get(type)!;

function demo(): FlowDocument {
  return {
    schema_version: 1,
    name: "Demo",
    nodes: [
      { id: "start", type: "start", name: "Start", config: {}, position: { x: 0, y: 0 } },
      {
        id: "menu",
        type: "menu",
        name: "Main menu",
        config: {
          text: "How can we help?",
          options: [
            { id: "sales", label: "Sales", keywords: ["buy"] },
            { id: "support", label: "" },
          ],
          max_retries: 2,
        },
        position: { x: 240, y: 10 },
      },
      { id: "bye", type: "end", name: "Bye", config: { text: "Goodbye" }, position: { x: 480, y: 0 } },
    ],
    edges: [
      { source: "start", port: "next", target: "menu" },
      { source: "menu", port: "sales", target: "bye" },
    ],
  };
}

describe("ports", () => {
  it("lists a menu's options (by id, labelled) before its static ports", () => {
    const ports = portsOf(demo().nodes[1].config, spec("menu"));
    expect(ports.map((p) => p.id)).toEqual(["sales", "support", "invalid", "timeout"]);
    expect(ports[0].label).toBe("Sales");
    expect(ports[1].label).toBe("support");
  });

  it("lists a condition's case ids then else", () => {
    const config = { cases: [{ id: "vip", rules: [] }, { id: "new", rules: [] }] };
    expect(portsOf(config, spec("condition")).map((p) => p.id)).toEqual(["vip", "new", "else"]);
    expect(portsOf({}, spec("condition")).map((p) => p.id)).toEqual(["else"]);
  });

  it("gives static ports for other modules and none for end", () => {
    expect(portsOf({}, spec("service_time")).map((p) => p.id)).toEqual(["open", "closed"]);
    expect(portsOf({}, spec("collect")).map((p) => p.id)).toEqual(["next", "invalid", "timeout"]);
    expect(portsOf({}, spec("end"))).toEqual([]);
  });

  it("skips options whose id is still empty and lists a repeated id once", () => {
    const config = { options: [{ id: "" }, { id: "a" }, { id: "a" }] };
    expect(portsOf(config, spec("menu")).map((p) => p.id)).toEqual(["a", "invalid", "timeout"]);
  });

  it("shows a port that an edge still uses but the config lost as missing", () => {
    const node = demo().nodes[1];
    const ports = portsWithEdges(node, spec("menu"), [{ source: "menu", port: "gone", target: "bye" }]);
    expect(ports.at(-1)).toEqual({ id: "gone", label: "gone", missing: true });
  });

  it("appears as soon as an option is typed", () => {
    const doc = demo();
    const menu = doc.nodes[1];
    const options = [...(menu.config.options as object[]), { id: "order", label: "Order" }];
    const next = updateNodeConfig(doc, "menu", { ...menu.config, options }, specs);
    expect(portsOf(next.nodes[1].config, spec("menu")).map((p) => p.id)).toContain("order");
  });
});

describe("canvas round trip", () => {
  it("keeps config, positions, names and edges", () => {
    const doc = demo();
    const inputs = { specs, problems: new Map(), activeNodeId: null };
    const nodes = toCanvasNodes(doc, inputs);
    const edges = toCanvasEdges(doc);
    expect(nodes[1].data.ports.map((p) => p.id)).toContain("sales");
    expect(edges[1]).toMatchObject({ source: "menu", sourceHandle: "sales", target: "bye" });
    expect(nodes[0].deletable).toBe(false);
    expect(fromCanvas(doc, nodes, edges)).toEqual(doc);
  });

  it("reuses unchanged canvas nodes and keeps what only the canvas knows", () => {
    const doc = demo();
    const inputs = { specs, problems: new Map(), activeNodeId: null };
    const first = toCanvasNodes(doc, inputs).map((n) => ({ ...n, measured: { width: 200, height: 80 }, selected: n.id === "bye" }));
    const renamed = renameNode(doc, "menu", "Menu!");
    const second = toCanvasNodes(renamed, inputs, first);
    expect(second[0]).toBe(first[0]);
    expect(second[1]).not.toBe(first[1]);
    expect(second[1].measured).toEqual({ width: 200, height: 80 });
    expect(second[2].selected).toBe(true);
    const flagged = toCanvasNodes(renamed, { ...inputs, problems: new Map([["bye", { errors: 1, warnings: 0 }]]) }, second);
    expect(flagged[2].data.errors).toBe(1);
    expect(flagged[0]).toBe(second[0]);
  });

  it("takes a moved node's position from the document", () => {
    const doc = demo();
    const inputs = { specs, problems: new Map(), activeNodeId: null };
    const first = toCanvasNodes(doc, inputs);
    const moved = moveNodes(doc, new Map([["bye", { x: 600.4, y: 99.6 }]]));
    expect(moved.nodes[2].position).toEqual({ x: 600, y: 100 });
    expect(toCanvasNodes(moved, inputs, first)[2].position).toEqual({ x: 600, y: 100 });
  });
});

describe("edges", () => {
  it("keeps one edge per port: connecting a used port replaces its edge", () => {
    let doc = demo();
    doc = addNode(doc, { id: "other", type: "end", name: "Other", config: {}, position: { x: 0, y: 0 } });
    const next = connect(doc, "menu", "sales", "other");
    expect(next.edges.filter((e) => e.source === "menu" && e.port === "sales")).toEqual([
      { source: "menu", port: "sales", target: "other" },
    ]);
    expect(next.edges).toHaveLength(2);
    const added = connect(next, "menu", "support", "other");
    expect(added.edges).toHaveLength(3);
  });

  it("refuses edges into start and to unknown nodes", () => {
    const doc = demo();
    expect(connect(doc, "menu", "invalid", "start")).toBe(doc);
    expect(connect(doc, "menu", "invalid", "nowhere")).toBe(doc);
  });

  it("removes edges", () => {
    const doc = demo();
    expect(removeEdges(doc, [{ source: "menu", port: "sales", target: "bye" }]).edges).toHaveLength(1);
  });

  it("moves an edge with its option when the option id is renamed", () => {
    const doc = demo();
    const config = { ...doc.nodes[1].config, options: [{ id: "buy", label: "Sales" }, { id: "support" }] };
    const next = updateNodeConfig(doc, "menu", config, specs);
    expect(next.edges).toContainEqual({ source: "menu", port: "buy", target: "bye" });
  });

  it("drops the edge of a removed option", () => {
    const doc = demo();
    const config = { ...doc.nodes[1].config, options: [{ id: "support" }] };
    const next = updateNodeConfig(doc, "menu", config, specs);
    expect(next.edges).toEqual([{ source: "start", port: "next", target: "menu" }]);
  });
});

describe("nodes", () => {
  it("never deletes start, and deleting a node deletes its edges", () => {
    const doc = demo();
    expect(isDeletable(doc.nodes[0], specs)).toBe(false);
    expect(removeNodes(doc, ["start"], specs)).toBe(doc);
    const next = removeNodes(doc, ["start", "menu"], specs);
    expect(next.nodes.map((n) => n.id)).toEqual(["start", "bye"]);
    expect(next.edges).toEqual([]);
  });

  it("gives new nodes unique <type>_<n> ids", () => {
    let doc = demo();
    expect(newNodeId(doc, "message")).toBe("message_1");
    doc = addNode(doc, createNode(doc, spec("message"), { x: 1, y: 2 }));
    doc = addNode(doc, createNode(doc, spec("message"), { x: 1, y: 2 }));
    expect(doc.nodes.map((n) => n.id)).toContain("message_2");
    doc = removeNodes(doc, ["message_1"], specs);
    expect(newNodeId(doc, "message")).toBe("message_1");
  });

  it("names a new node by its title and fills its config from the schema", () => {
    const doc = demo();
    const menu = createNode(doc, spec("menu"), { x: 10.2, y: 20.7 });
    expect(menu).toMatchObject({ id: "menu_1", type: "menu", name: "Menu", position: { x: 10, y: 21 } });
    expect(menu.config).toEqual({ text: "", options: [], max_retries: 2 });
  });
});

describe("selection", () => {
  it("selects one node and reuses the unchanged ones", async () => {
    const { selectOnly } = await import("./document");
    const items = [{ id: "a", selected: true }, { id: "b" }, { id: "c", selected: false }];
    const next = selectOnly(items, "b");
    expect(next.map((i) => i.selected ?? false)).toEqual([false, true, false]);
    expect(next[2]).toBe(items[2]);
    expect(selectOnly(next, "b")).toBe(next);
  });
});
