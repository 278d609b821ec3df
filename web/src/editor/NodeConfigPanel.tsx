// The right-hand panel for the selected node: its name, the config form generated from its
// module's schema, where each port leads, its problems, and Delete.

import { memo } from "react";
import type { FlowEdge, FlowNode, ModuleSpec, Problem } from "../api/types";
import { acceptsEdges, type Port } from "./document";
import { ModuleIcon } from "./ModuleIcon";
import type { JsonSchema } from "./schema";
import { SchemaForm } from "./SchemaForm";

export interface NodeTarget {
  id: string;
  label: string;
}

interface NodeConfigPanelProps {
  node: FlowNode;
  spec: ModuleSpec | undefined;
  ports: readonly Port[];
  edges: readonly FlowEdge[];
  /** Nodes a port may lead to. */
  targets: readonly NodeTarget[];
  problems: readonly Problem[];
  deletable: boolean;
  onRename(id: string, name: string): void;
  onConfig(id: string, config: Record<string, unknown>, path: readonly (string | number)[]): void;
  onConnect(id: string, port: string, target: string | null): void;
  onDelete(id: string): void;
}

function NodeConfigPanelView({ node, spec, ports, edges, targets, problems, deletable, onRename, onConfig, onConnect, onDelete }: NodeConfigPanelProps) {
  const prefix = `node-${node.id}`;
  return (
    <section className="editor-config" aria-label="Node settings">
      <header className="editor-config-head">
        <ModuleIcon type={node.type} />
        <div>
          <div className="editor-config-type">{spec?.title ?? node.type}</div>
          <div className="muted editor-config-id">id: {node.id}</div>
        </div>
      </header>
      {spec?.description && <p className="muted editor-hint">{spec.description}</p>}

      {problems.length > 0 && (
        <ul className="editor-node-problems" aria-label="Problems of this node">
          {problems.map((p, i) => (
            <li key={i} className={p.severity}>
              {p.message}
            </li>
          ))}
        </ul>
      )}

      <div className="editor-field">
        <label htmlFor={`${prefix}-name`}>Name</label>
        <input id={`${prefix}-name`} type="text" maxLength={200} value={node.name} onChange={(event) => onRename(node.id, event.target.value)} />
      </div>

      {spec ? (
        <SchemaForm
          key={node.id}
          schema={spec.config_schema as JsonSchema}
          value={node.config}
          idPrefix={prefix}
          onChange={(config, path) => onConfig(node.id, config, path)}
        />
      ) : (
        <p className="error">This server does not know the module type “{node.type}”.</p>
      )}

      {ports.length > 0 && (
        <fieldset className="editor-fieldset">
          <legend>Connections</legend>
          {ports.map((port) => {
            const edge = edges.find((e) => e.port === port.id);
            const id = `${prefix}-port-${port.id}`.replace(/[^A-Za-z0-9_-]/g, "_");
            const label = port.label === port.id ? port.id : `${port.label} (${port.id})`;
            return (
              <div className="editor-field editor-port-field" key={port.id}>
                <label htmlFor={id}>
                  {label} → {port.missing && <span className="error">(port no longer exists)</span>}
                </label>
                <div className="editor-port-target">
                  <select id={id} value={edge?.target ?? ""} onChange={(event) => onConnect(node.id, port.id, event.target.value || null)}>
                    <option value="">Not connected</option>
                    {edge && !targets.some((t) => t.id === edge.target) && <option value={edge.target}>Missing node: {edge.target}</option>}
                    {targets.map((t) => (
                      <option key={t.id} value={t.id}>
                        {t.label}
                      </option>
                    ))}
                  </select>
                  {edge && (
                    <button type="button" className="danger" aria-label={`Remove the connection from ${port.id}`} title="Remove this connection" onClick={() => onConnect(node.id, port.id, null)}>
                      ✕
                    </button>
                  )}
                </div>
              </div>
            );
          })}
        </fieldset>
      )}

      <div className="editor-config-foot">
        {deletable ? (
          <button type="button" className="danger" onClick={() => onDelete(node.id)}>
            Delete node
          </button>
        ) : (
          <p className="muted">The start node cannot be deleted.</p>
        )}
      </div>
    </section>
  );
}

export const NodeConfigPanel = memo(NodeConfigPanelView);

/** The nodes a port may lead to, labelled for a select. */
export function nodeTargets(nodes: readonly FlowNode[]): NodeTarget[] {
  return nodes.filter(acceptsEdges).map((n) => ({ id: n.id, label: n.name && n.name !== n.id ? `${n.name} (${n.id})` : n.id }));
}
