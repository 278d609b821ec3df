// One node on the canvas: its module's icon and type, the admin's name, a preview of its text,
// one labelled source handle per output port and a single target handle.

import { Handle, Position, useStore, useUpdateNodeInternals, type NodeProps, type ReactFlowState } from "@xyflow/react";
import { memo, useEffect, useRef } from "react";
import { acceptsEdges, type CanvasNode } from "./document";
import { ModuleIcon, moduleColour } from "./ModuleIcon";

function preview(config: Record<string, unknown>): string {
  const text = config.text;
  if (typeof text !== "string") return "";
  return text.length > 70 ? `${text.slice(0, 69)}…` : text;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? "" : "s"}`;
}

const connectingSelector = (state: ReactFlowState) => state.connection.inProgress;

function ModuleNodeCard({ id, data, selected }: NodeProps<CanvasNode>) {
  const { node, spec, ports, errors, warnings, active } = data;
  const updateNodeInternals = useUpdateNodeInternals();
  // While a connection is being dragged, the whole card is the drop target (not just the dot).
  const connecting = useStore(connectingSelector);
  const portIds = ports.map((p) => p.id).join("\u0000");
  // Handles come and go with the config (a new menu option): React Flow must re-measure them.
  // Not on mount: React Flow measures new nodes itself (and an early call would fit the view
  // to the nodes measured so far).
  const measuredPorts = useRef(portIds);
  useEffect(() => {
    if (measuredPorts.current === portIds) return;
    measuredPorts.current = portIds;
    updateNodeInternals(id);
  }, [id, portIds, updateNodeInternals]);

  const classes = ["editor-node"];
  if (errors > 0) classes.push("has-errors");
  else if (warnings > 0) classes.push("has-warnings");
  if (selected) classes.push("is-selected");
  if (active) classes.push("is-active");
  const text = preview(node.config);
  const title = spec?.title ?? node.type;

  return (
    <div className={classes.join(" ")} style={{ borderTopColor: moduleColour(node.type) }} data-node-id={node.id}>
      {acceptsEdges(node) && <Handle type="target" position={Position.Left} className={connecting ? "editor-target-handle editor-drop-zone" : "editor-target-handle"} />}
      <div className="editor-node-head">
        <ModuleIcon type={node.type} size={14} />
        <span className="editor-node-type">{spec ? title : `Unknown type: ${node.type}`}</span>
        {(errors > 0 || warnings > 0) && (
          <span
            className={`editor-node-badge ${errors > 0 ? "error" : "warning"}`}
            title={[errors ? plural(errors, "error") : "", warnings ? plural(warnings, "warning") : ""].filter(Boolean).join(", ")}
          >
            {errors > 0 ? errors : warnings}
          </span>
        )}
      </div>
      <div className="editor-node-name">{node.name || node.id}</div>
      {text && <div className="editor-node-text">{text}</div>}
      {ports.length > 0 && (
        <ul className="editor-node-ports">
          {ports.map((port) => (
            <li key={port.id} className={port.missing ? "missing" : undefined} title={port.missing ? `Port "${port.id}" no longer exists` : undefined}>
              <span className="editor-port-label">{port.label}</span>
              {port.label !== port.id && <span className="editor-port-id">{port.id}</span>}
              <Handle type="source" position={Position.Right} id={port.id} className="editor-source-handle" />
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}

export const ModuleNode = memo(ModuleNodeCard);
