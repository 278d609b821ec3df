// What React Flow needs beyond the document: the canvas nodes and edges (derived from the
// document, keeping measured sizes, selection and drags in progress), and their changes.
// Moves reach the document when a drag ends; removals go through the document only.

import { applyEdgeChanges, applyNodeChanges, type EdgeChange, type NodeChange } from "@xyflow/react";
import { useCallback, useLayoutEffect, useMemo, useRef, useState } from "react";
import type { FlowDocument, Position } from "../api/types";
import { moveNodes, selectOnly, toCanvasEdges, toCanvasNodes, type CanvasEdge, type CanvasInputs, type CanvasNode } from "./document";

export function useCanvasState(
  doc: FlowDocument,
  inputs: CanvasInputs,
  change: (edit: (doc: FlowDocument) => FlowDocument) => void,
) {
  const [nodes, setNodes] = useState<CanvasNode[]>([]);
  const [edges, setEdges] = useState<CanvasEdge[]>([]);
  const pendingSelection = useRef<string | null>(null);
  const { specs, problems, activeNodeId } = inputs;

  useLayoutEffect(() => {
    // Read the pending selection here, not inside the updater (which may run twice).
    let wanted = pendingSelection.current;
    if (wanted && doc.nodes.some((n) => n.id === wanted)) pendingSelection.current = null;
    else wanted = null;
    setNodes((previous) => {
      const next = toCanvasNodes(doc, { specs, problems, activeNodeId }, previous);
      return wanted ? selectOnly(next, wanted) : next;
    });
  }, [doc, specs, problems, activeNodeId]);

  useLayoutEffect(() => {
    setEdges((previous) => toCanvasEdges(doc, previous));
  }, [doc]);

  /** The one selected node, or null when none or several are selected. */
  const selectedId = useMemo(() => {
    let found: string | null = null;
    for (const node of nodes) {
      if (!node.selected) continue;
      if (found) return null;
      found = node.id;
    }
    return found;
  }, [nodes]);

  const onNodesChange = useCallback(
    (changes: NodeChange<CanvasNode>[]) => {
      const moved = new Map<string, Position>();
      const local = changes.filter((c) => {
        if (c.type === "remove") return false;
        if (c.type === "position" && c.position && !c.dragging) moved.set(c.id, c.position);
        return true;
      });
      if (local.length) setNodes((ns) => applyNodeChanges(local, ns));
      if (moved.size) change((d) => moveNodes(d, moved));
    },
    [change],
  );

  const onEdgesChange = useCallback((changes: EdgeChange<CanvasEdge>[]) => {
    const local = changes.filter((c) => c.type !== "remove");
    if (local.length) setEdges((es) => applyEdgeChanges(local, es));
  }, []);

  /** Select exactly this node now. */
  const select = useCallback((id: string) => {
    setNodes((ns) => selectOnly(ns, id));
    setEdges((es) => selectOnly(es, null));
  }, []);

  /** Select this node as soon as the document has it (after adding it). */
  const selectWhenAdded = useCallback((id: string) => {
    pendingSelection.current = id;
  }, []);

  return { nodes, edges, selectedId, onNodesChange, onEdgesChange, select, selectWhenAdded };
}
