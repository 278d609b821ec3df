import { describe, expect, it } from "vitest";
import type { FlowDocument, FlowNode } from "../api/types";
import { autoLayout } from "./layout";

const node = (id: string, type = "message"): FlowNode => ({ id, type, name: id, config: {}, position: { x: 0, y: 0 } });

describe("auto-layout", () => {
  const doc: FlowDocument = {
    schema_version: 1,
    nodes: [node("end", "end"), node("b"), node("a"), node("start", "start"), node("c"), node("lonely")],
    edges: [
      { source: "start", port: "next", target: "a" },
      { source: "a", port: "x", target: "b" },
      { source: "a", port: "y", target: "c" },
      { source: "b", port: "next", target: "end" },
      { source: "c", port: "next", target: "end" },
      { source: "c", port: "loop", target: "a" },
    ],
  };
  const positions = autoLayout(doc);

  it("puts start leftmost and children to the right of their parents", () => {
    const x = (id: string) => positions.get(id)!.x;
    expect(x("start")).toBe(0);
    for (const id of ["a", "b", "c", "end"]) expect(x(id)).toBeGreaterThan(x("start"));
    expect(x("b")).toBeGreaterThan(x("a"));
    expect(x("c")).toBe(x("b"));
    expect(x("end")).toBeGreaterThan(x("b"));
  });

  it("places every node without overlaps in a column", () => {
    expect(positions.size).toBe(doc.nodes.length);
    const b = positions.get("b")!;
    const c = positions.get("c")!;
    expect(Math.abs(b.y - c.y)).toBeGreaterThanOrEqual(90);
  });

  it("puts nodes the start cannot reach below the flow", () => {
    const lonely = positions.get("lonely")!;
    const others = ["start", "a", "b", "c", "end"].map((id) => positions.get(id)!.y);
    expect(lonely.y).toBeGreaterThan(Math.max(...others));
  });

  it("handles 200 nodes quickly", () => {
    const nodes = [node("start", "start"), ...Array.from({ length: 199 }, (_, i) => node(`n${i}`))];
    const edges = nodes.slice(1).map((n, i) => ({ source: i === 0 ? "start" : `n${Math.floor((i - 1) / 2)}`, port: `p${i}`, target: n.id }));
    const t = performance.now();
    const big = autoLayout({ schema_version: 1, nodes, edges });
    expect(big.size).toBe(200);
    expect(performance.now() - t).toBeLessThan(200);
  });
});
