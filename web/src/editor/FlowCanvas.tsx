// The canvas: React Flow with our node card, drop target for the palette, minimap and controls.
// It holds no document state: every change goes back to the page as a callback.

import {
  Background,
  Controls,
  MiniMap,
  ReactFlow,
  useReactFlow,
  type Connection,
  type EdgeChange,
  type IsValidConnection,
  type NodeChange,
  type OnDelete,
} from "@xyflow/react";
import { useCallback, type DragEvent } from "react";
import type { Position as XY } from "../api/types";
import { acceptsEdges, type CanvasEdge, type CanvasNode } from "./document";
import { moduleColour } from "./ModuleIcon";
import { ModuleNode } from "./ModuleNode";

/** The drag-and-drop payload type the palette sets. */
export const MODULE_DRAG_TYPE = "application/x-flowdesk-module";

const nodeTypes = { module: ModuleNode };
const deleteKeys = ["Delete", "Backspace"];
const defaultEdgeOptions = { type: "smoothstep", interactionWidth: 16 };

function minimapColour(node: CanvasNode): string {
  return moduleColour(node.data.node.type);
}

function minimapStroke(node: CanvasNode): string {
  if (node.data.errors > 0) return "#c62828";
  if (node.data.warnings > 0) return "#b26a00";
  return "transparent";
}

interface FlowCanvasProps {
  nodes: CanvasNode[];
  edges: CanvasEdge[];
  onNodesChange(changes: NodeChange<CanvasNode>[]): void;
  onEdgesChange(changes: EdgeChange<CanvasEdge>[]): void;
  onConnect(source: string, port: string, target: string): void;
  onDelete(nodeIds: string[], edges: CanvasEdge[]): void;
  onDropModule(type: string, position: XY): void;
}

export function FlowCanvas({ nodes, edges, onNodesChange, onEdgesChange, onConnect, onDelete, onDropModule }: FlowCanvasProps) {
  const { screenToFlowPosition, getNode } = useReactFlow<CanvasNode, CanvasEdge>();

  const handleConnect = useCallback(
    (connection: Connection) => {
      if (connection.sourceHandle) onConnect(connection.source, connection.sourceHandle, connection.target);
    },
    [onConnect],
  );

  // Stable (reads the node from the store): a new function on every change would make every
  // handle on the canvas re-render.
  const isValidConnection: IsValidConnection<CanvasEdge> = useCallback(
    (connection) => {
      if (!connection.sourceHandle) return false;
      const target = getNode(connection.target);
      return !!target && acceptsEdges(target.data.node);
    },
    [getNode],
  );

  const handleDelete: OnDelete<CanvasNode, CanvasEdge> = useCallback(
    ({ nodes: gone, edges: goneEdges }) => onDelete(gone.map((n) => n.id), goneEdges),
    [onDelete],
  );

  const onDragOver = useCallback((event: DragEvent) => {
    if (event.dataTransfer.types.includes(MODULE_DRAG_TYPE)) {
      event.preventDefault();
      event.dataTransfer.dropEffect = "copy";
    }
  }, []);

  const onDrop = useCallback(
    (event: DragEvent) => {
      const type = event.dataTransfer.getData(MODULE_DRAG_TYPE);
      if (!type) return;
      event.preventDefault();
      const at = screenToFlowPosition({ x: event.clientX, y: event.clientY });
      // Drop so the pointer sits on the card's header, not its corner.
      onDropModule(type, { x: at.x - 94, y: at.y - 20 });
    },
    [onDropModule, screenToFlowPosition],
  );

  return (
    <div className="editor-canvas" onDragOver={onDragOver} onDrop={onDrop}>
      <ReactFlow<CanvasNode, CanvasEdge>
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        onNodesChange={onNodesChange}
        onEdgesChange={onEdgesChange}
        onConnect={handleConnect}
        onDelete={handleDelete}
        isValidConnection={isValidConnection}
        deleteKeyCode={deleteKeys}
        defaultEdgeOptions={defaultEdgeOptions}
        fitView
        fitViewOptions={{ maxZoom: 1, minZoom: 0.5, padding: 0.1 }}
        minZoom={0.1}
        maxZoom={2}
        aria-label="Flow canvas"
      >
        <Background gap={20} />
        <Controls position="bottom-left" />
        <MiniMap<CanvasNode> pannable zoomable nodeColor={minimapColour} nodeStrokeColor={minimapStroke} nodeStrokeWidth={6} ariaLabel="Minimap" />
      </ReactFlow>
    </div>
  );
}
