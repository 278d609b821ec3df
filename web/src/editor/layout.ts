// Auto-layout: layered, left to right. A node's column is its distance from `start` (breadth
// first, following ports in order); within a column nodes sit near their parents and never
// overlap. Nodes the start cannot reach are laid out the same way in blocks below.

import type { FlowDocument, Position } from "../api/types";

export interface Size {
  width: number;
  height: number;
}

export interface LayoutOptions {
  /** Horizontal distance between the left edges of two columns. */
  columnGap?: number;
  /** Vertical space between two nodes of a column, and between blocks. */
  rowGap?: number;
  /** The start node's type. */
  startType?: string;
}

export const DEFAULT_SIZE: Size = { width: 188, height: 90 };

/** New positions for every node of `doc`; `sizeOf` gives a node's (measured or estimated) size. */
export function autoLayout(
  doc: FlowDocument,
  sizeOf: (id: string) => Size = () => DEFAULT_SIZE,
  options: LayoutOptions = {},
): Map<string, Position> {
  const rowGap = options.rowGap ?? 40;
  const startType = options.startType ?? "start";
  const ids = doc.nodes.map((n) => n.id);
  const known = new Set(ids);
  const widest = Math.max(DEFAULT_SIZE.width, ...ids.map((id) => sizeOf(id).width));
  const columnGap = options.columnGap ?? widest + 80;

  const children = new Map<string, string[]>(ids.map((id) => [id, []]));
  for (const edge of doc.edges) {
    if (known.has(edge.source) && known.has(edge.target)) children.get(edge.source)!.push(edge.target);
  }

  const positions = new Map<string, Position>();
  const visited = new Set<string>();
  let top = 0;
  const roots = [
    ...doc.nodes.filter((n) => n.type === startType).map((n) => n.id),
    ...ids,
  ];
  for (const root of roots) {
    if (visited.has(root)) continue;
    // Breadth-first from this root over nodes not placed yet: columns and discovery order.
    const depth = new Map<string, number>([[root, 0]]);
    const parents = new Map<string, string[]>();
    const order = [root];
    visited.add(root);
    for (let i = 0; i < order.length; i += 1) {
      const id = order[i];
      for (const child of children.get(id)!) {
        if (!visited.has(child)) {
          visited.add(child);
          depth.set(child, depth.get(id)! + 1);
          order.push(child);
        }
        if (depth.get(child) === depth.get(id)! + 1) {
          const list = parents.get(child) ?? [];
          if (!list.includes(id)) list.push(id);
          parents.set(child, list);
        }
      }
    }
    const columns: string[][] = [];
    for (const id of order) (columns[depth.get(id)!] ??= []).push(id);

    const centre = new Map<string, number>();
    let bottom = top;
    columns.forEach((column, d) => {
      const wanted = column.map((id, index) => {
        const ps = (parents.get(id) ?? []).filter((p) => centre.has(p));
        const y = ps.length ? ps.reduce((sum, p) => sum + centre.get(p)!, 0) / ps.length : top;
        return { id, y, index };
      });
      wanted.sort((a, b) => a.y - b.y || a.index - b.index);
      let next = top;
      for (const { id, y } of wanted) {
        const { height } = sizeOf(id);
        const placed = Math.max(y - height / 2, next);
        positions.set(id, { x: d * columnGap, y: Math.round(placed) });
        centre.set(id, placed + height / 2);
        next = placed + height + rowGap;
        bottom = Math.max(bottom, placed + height);
      }
    });
    top = bottom + rowGap * 2;
  }
  return positions;
}

/** A node's size before the canvas has measured it: taller with more output ports. */
export function estimatedSize(portCount: number): Size {
  return { width: DEFAULT_SIZE.width, height: 64 + 24 * Math.max(1, portCount) };
}
