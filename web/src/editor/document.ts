// The flow document (SPEC §2) and the canvas's view of it. Every edit the canvas makes is one of
// these pure functions: document in, new document out (unchanged parts keep their identity, so
// React can skip them and the history can hold snapshots cheaply).

import type { Edge, Node } from "@xyflow/react";
import type { FlowDocument, FlowEdge, FlowNode, ModuleSpec, Position } from "../api/types";
import { defaultsFromSchema, type JsonSchema } from "./schema";

export type SpecsByType = ReadonlyMap<string, ModuleSpec>;

/** The entry node's type: one per flow, created with it, and no edge may enter it (SPEC §2). */
export const START_TYPE = "start";

export function specsByType(modules: readonly ModuleSpec[]): SpecsByType {
  return new Map(modules.map((m) => [m.type, m]));
}

// ------------------------------------------------------------------------------------ ports

export interface Port {
  /** The port name an edge leaves by. */
  id: string;
  /** What the canvas shows: an option's label, else the port name. */
  label: string;
  /** True for a port that has an edge but that the config no longer derives (a stale edge). */
  missing?: boolean;
}

const portCache = new WeakMap<object, WeakMap<ModuleSpec, Port[]>>();

/**
 * The output ports of a node, exactly as the server derives them: one per item of the spec's
 * dynamic field (named by its key), then the static ports. Items whose key is still empty are
 * skipped and a repeated key is listed once, so that every handle on the canvas is unique.
 */
export function portsOf(config: Record<string, unknown>, spec: ModuleSpec | undefined): Port[] {
  if (!spec) return [];
  let bySpec = portCache.get(config);
  const cached = bySpec?.get(spec);
  if (cached) return cached;
  const ports: Port[] = [];
  const seen = new Set<string>();
  const dynamic = spec.ports.dynamic;
  if (dynamic) {
    const items = config[dynamic.field];
    for (const item of Array.isArray(items) ? items : []) {
      if (!item || typeof item !== "object") continue;
      const record = item as Record<string, unknown>;
      const key = record[dynamic.key];
      if (typeof key !== "string" || key === "" || seen.has(key)) continue;
      seen.add(key);
      const label = typeof record.label === "string" && record.label.trim() ? record.label : key;
      ports.push({ id: key, label });
    }
  }
  for (const name of spec.ports.static) {
    if (seen.has(name)) continue;
    seen.add(name);
    ports.push({ id: name, label: name });
  }
  if (!bySpec) {
    bySpec = new WeakMap();
    portCache.set(config, bySpec);
  }
  bySpec.set(spec, ports);
  return ports;
}

/** The dynamic port keys of a config by position (empty strings kept), for edge bookkeeping. */
function dynamicKeys(config: Record<string, unknown>, spec: ModuleSpec | undefined): string[] | null {
  const dynamic = spec?.ports.dynamic;
  if (!dynamic) return null;
  const items = config[dynamic.field];
  return (Array.isArray(items) ? items : []).map((item) => {
    const key = item && typeof item === "object" ? (item as Record<string, unknown>)[dynamic.key] : undefined;
    return typeof key === "string" ? key : "";
  });
}

/** Ports plus any port an edge still leaves by that the config no longer has (shown as missing). */
export function portsWithEdges(node: FlowNode, spec: ModuleSpec | undefined, edgesFrom: readonly FlowEdge[]): Port[] {
  const ports = portsOf(node.config, spec);
  const stale = edgesFrom.filter((e) => !ports.some((p) => p.id === e.port));
  if (stale.length === 0) return ports;
  const extra: Port[] = [];
  for (const edge of stale) {
    if (!extra.some((p) => p.id === edge.port)) extra.push({ id: edge.port, label: edge.port, missing: true });
  }
  return [...ports, ...extra];
}

// ------------------------------------------------------------------------------------ nodes

/** A fresh id `<type>_<n>` with the smallest n not yet used in the document. */
export function newNodeId(doc: FlowDocument, type: string): string {
  const taken = new Set(doc.nodes.map((n) => n.id));
  const base = type.replace(/[^A-Za-z0-9_-]/g, "_").slice(0, 56) || "node";
  let n = 1;
  while (taken.has(`${base}_${n}`)) n += 1;
  return `${base}_${n}`;
}

/** A new node of `spec`'s type: named by its title, its config the schema's defaults. */
export function createNode(doc: FlowDocument, spec: ModuleSpec, position: Position): FlowNode {
  return {
    id: newNodeId(doc, spec.type),
    type: spec.type,
    name: spec.title,
    config: defaultsFromSchema(spec.config_schema as JsonSchema),
    position: { x: Math.round(position.x), y: Math.round(position.y) },
  };
}

export function addNode(doc: FlowDocument, node: FlowNode): FlowDocument {
  return { ...doc, nodes: [...doc.nodes, node] };
}

/** Whether the admin may delete this node (`start` may not: the catalogue says so). */
export function isDeletable(node: FlowNode, specs: SpecsByType): boolean {
  const spec = specs.get(node.type);
  return spec ? spec.deletable : node.type !== START_TYPE;
}

/** Whether an edge may enter this node (none may enter the start). */
export function acceptsEdges(node: FlowNode): boolean {
  return node.type !== START_TYPE;
}

/** Remove nodes (the undeletable ones stay) and every edge touching a removed node. */
export function removeNodes(doc: FlowDocument, ids: Iterable<string>, specs: SpecsByType): FlowDocument {
  const wanted = new Set(ids);
  const removed = new Set(doc.nodes.filter((n) => wanted.has(n.id) && isDeletable(n, specs)).map((n) => n.id));
  if (removed.size === 0) return doc;
  return {
    ...doc,
    nodes: doc.nodes.filter((n) => !removed.has(n.id)),
    edges: doc.edges.filter((e) => !removed.has(e.source) && !removed.has(e.target)),
  };
}

function replaceNode(doc: FlowDocument, id: string, update: (node: FlowNode) => FlowNode): FlowDocument {
  let changed = false;
  const nodes = doc.nodes.map((node) => {
    if (node.id !== id) return node;
    const next = update(node);
    if (next !== node) changed = true;
    return next;
  });
  return changed ? { ...doc, nodes } : doc;
}

export function renameNode(doc: FlowDocument, id: string, name: string): FlowDocument {
  return replaceNode(doc, id, (node) => (node.name === name ? node : { ...node, name }));
}

/** Move nodes; positions are rounded to whole pixels so saved documents stay tidy. */
export function moveNodes(doc: FlowDocument, positions: ReadonlyMap<string, Position>): FlowDocument {
  let changed = false;
  const nodes = doc.nodes.map((node) => {
    const to = positions.get(node.id);
    if (!to) return node;
    const position = { x: Math.round(to.x), y: Math.round(to.y) };
    if (position.x === node.position.x && position.y === node.position.y) return node;
    changed = true;
    return { ...node, position };
  });
  return changed ? { ...doc, nodes } : doc;
}

/**
 * Replace a node's config. When a dynamic port's key is edited in place (a menu option's id
 * renamed), its edge follows the new name; when an item is removed, the edge of the port that
 * disappeared goes with it. Other edges are left alone: a port that vanished for another reason
 * keeps its edge, shown on the canvas as a missing port and reported by validation.
 */
export function updateNodeConfig(
  doc: FlowDocument,
  id: string,
  config: Record<string, unknown>,
  specs: SpecsByType,
): FlowDocument {
  const node = doc.nodes.find((n) => n.id === id);
  if (!node || node.config === config) return doc;
  const spec = specs.get(node.type);
  const before = dynamicKeys(node.config, spec);
  const after = dynamicKeys(config, spec);
  let edges = doc.edges;
  if (before && after) {
    const staticPorts = new Set(spec?.ports.static ?? []);
    if (before.length === after.length) {
      const renames = new Map<string, string>();
      before.forEach((old, i) => {
        const now = after[i];
        if (old && now && old !== now && !before.includes(now) && !after.includes(old) && !staticPorts.has(now)) {
          renames.set(old, now);
        }
      });
      if (renames.size > 0) {
        edges = edges.map((e) => {
          const to = e.source === id ? renames.get(e.port) : undefined;
          return to && !edges.some((o) => o.source === id && o.port === to) ? { ...e, port: to } : e;
        });
      }
    } else if (after.length < before.length) {
      const gone = new Set(before.filter((k) => k && !after.includes(k) && !staticPorts.has(k)));
      if (gone.size > 0) edges = edges.filter((e) => !(e.source === id && gone.has(e.port)));
    }
  }
  const nodes = doc.nodes.map((n) => (n.id === id ? { ...n, config } : n));
  return { ...doc, nodes, edges };
}

// ------------------------------------------------------------------------------------ edges

/**
 * Connect `port` of `source` to `target`. A port has at most one edge, so an existing edge from
 * that port is replaced (in place, keeping the edge order). Nothing may enter the start node.
 */
export function connect(doc: FlowDocument, source: string, port: string, target: string): FlowDocument {
  const targetNode = doc.nodes.find((n) => n.id === target);
  if (!targetNode || !doc.nodes.some((n) => n.id === source)) return doc;
  if (!acceptsEdges(targetNode)) return doc;
  const edge: FlowEdge = { source, port, target };
  const index = doc.edges.findIndex((e) => e.source === source && e.port === port);
  if (index < 0) return { ...doc, edges: [...doc.edges, edge] };
  if (doc.edges[index].target === target) return doc;
  const edges = doc.edges.filter((e, i) => i === index || !(e.source === source && e.port === port));
  return { ...doc, edges: edges.map((e) => (e.source === source && e.port === port ? edge : e)) };
}

/** Remove the given edges (compared by source, port and target). */
export function removeEdges(doc: FlowDocument, gone: readonly FlowEdge[]): FlowDocument {
  if (gone.length === 0) return doc;
  const key = (e: FlowEdge) => `${e.source}\u0000${e.port}\u0000${e.target}`;
  const drop = new Set(gone.map(key));
  const edges = doc.edges.filter((e) => !drop.has(key(e)));
  return edges.length === doc.edges.length ? doc : { ...doc, edges };
}

// ------------------------------------------------------------------------------------ canvas

/** What a canvas node carries: the document node itself plus what the card shows. */
export interface NodeCardData extends Record<string, unknown> {
  node: FlowNode;
  spec: ModuleSpec | undefined;
  ports: Port[];
  errors: number;
  warnings: number;
  /** The node a test conversation stands at. */
  active: boolean;
}

export type CanvasNode = Node<NodeCardData, "module">;
export type CanvasEdge = Edge<{ edge: FlowEdge }>;

export interface ProblemCount {
  errors: number;
  warnings: number;
}

export interface CanvasInputs {
  specs: SpecsByType;
  problems: ReadonlyMap<string, ProblemCount>;
  activeNodeId: string | null;
}

function portsKey(ports: readonly Port[]): string {
  return ports.map((p) => `${p.id}\u0001${p.label}\u0001${p.missing ? 1 : 0}`).join("\u0002");
}

export function edgesBySource(edges: readonly FlowEdge[]): Map<string, FlowEdge[]> {
  const bySource = new Map<string, FlowEdge[]>();
  for (const edge of edges) {
    const list = bySource.get(edge.source);
    if (list) list.push(edge);
    else bySource.set(edge.source, [edge]);
  }
  return bySource;
}

/**
 * The canvas nodes for a document. `previous` is the canvas's current list: a node whose inputs
 * did not change is reused as is (so React Flow and the memoised card skip it), and what only
 * the canvas knows (measured size, selection, a drag in progress) is carried over.
 */
export function toCanvasNodes(doc: FlowDocument, inputs: CanvasInputs, previous: readonly CanvasNode[] = []): CanvasNode[] {
  const before = new Map(previous.map((n) => [n.id, n]));
  const outgoing = edgesBySource(doc.edges);
  const none: ProblemCount = { errors: 0, warnings: 0 };
  return doc.nodes.map((node) => {
    const spec = inputs.specs.get(node.type);
    const ports = portsWithEdges(node, spec, outgoing.get(node.id) ?? []);
    const count = inputs.problems.get(node.id) ?? none;
    const active = inputs.activeNodeId === node.id;
    const prev = before.get(node.id);
    if (
      prev &&
      prev.data.node === node &&
      prev.data.spec === spec &&
      prev.data.errors === count.errors &&
      prev.data.warnings === count.warnings &&
      prev.data.active === active &&
      portsKey(prev.data.ports) === portsKey(ports)
    ) {
      return prev;
    }
    const moved = !prev || prev.data.node.position !== node.position;
    return {
      id: node.id,
      type: "module",
      position: prev && !moved ? prev.position : { ...node.position },
      deletable: isDeletable(node, inputs.specs),
      selected: prev?.selected ?? false,
      dragging: prev?.dragging,
      measured: prev?.measured,
      data: { node, spec, ports, errors: count.errors, warnings: count.warnings, active },
    };
  });
}

/** The canvas edges of a document; edge ids are unique even if a document repeats a port. */
export function toCanvasEdges(doc: FlowDocument, previous: readonly CanvasEdge[] = []): CanvasEdge[] {
  const before = new Map(previous.map((e) => [e.id, e]));
  const used = new Set<string>();
  return doc.edges.map((edge) => {
    let id = `${edge.source}:${edge.port}`;
    for (let n = 2; used.has(id); n += 1) id = `${edge.source}:${edge.port}#${n}`;
    used.add(id);
    const prev = before.get(id);
    if (prev && prev.data?.edge === edge) return prev;
    return {
      id,
      source: edge.source,
      sourceHandle: edge.port,
      target: edge.target,
      selected: prev?.selected ?? false,
      data: { edge },
    };
  });
}

/** Back from the canvas: the document nodes (with the canvas's positions) and edges. */
export function fromCanvas(base: FlowDocument, nodes: readonly CanvasNode[], edges: readonly CanvasEdge[]): FlowDocument {
  return {
    ...base,
    nodes: nodes.map((n) => ({ ...n.data.node, position: { x: n.position.x, y: n.position.y } })),
    edges: edges.map((e) => ({ source: e.source, port: e.sourceHandle ?? "", target: e.target })),
  };
}

/** Fill what a stored document may leave out, so the editor can rely on every field. */
export function normaliseDocument(raw: Partial<FlowDocument> | undefined, name = ""): FlowDocument {
  const nodes = (raw?.nodes ?? []).map((n) => ({
    id: n.id,
    type: n.type,
    name: n.name ?? "",
    config: n.config ?? {},
    position: { x: n.position?.x ?? 0, y: n.position?.y ?? 0 },
  }));
  return { schema_version: 1, name: raw?.name ?? name, nodes, edges: [...(raw?.edges ?? [])] };
}

/** Select exactly the item `id` (or nothing), reusing the items whose selection is unchanged. */
export function selectOnly<T extends { id: string; selected?: boolean }>(items: T[], id: string | null): T[] {
  let changed = false;
  const next = items.map((item) => {
    const wanted = item.id === id;
    if ((item.selected ?? false) === wanted) return item;
    changed = true;
    return { ...item, selected: wanted };
  });
  return changed ? next : items;
}
