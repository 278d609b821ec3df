// Every problem the validator reports for the current document; a click selects and centres the node.

import { useMemo, useState } from "react";
import type { FlowNode, Problem } from "../api/types";

interface ProblemsPanelProps {
  problems: readonly Problem[];
  nodes: readonly FlowNode[];
  /** True while a validation request is in flight. */
  checking: boolean;
  error: string | null;
  onShowNode(id: string): void;
}

export function ProblemsPanel({ problems, nodes, checking, error, onShowNode }: ProblemsPanelProps) {
  const [open, setOpen] = useState(true);
  const errors = problems.filter((p) => p.severity === "error").length;
  const warnings = problems.length - errors;
  const names = useMemo(() => new Map(nodes.map((n) => [n.id, n.name])), [nodes]);
  const nameOf = (id: string) => names.get(id) || id;
  const summary =
    problems.length === 0 ? "No problems" : [errors && `${errors} error${errors === 1 ? "" : "s"}`, warnings && `${warnings} warning${warnings === 1 ? "" : "s"}`].filter(Boolean).join(", ");
  return (
    <section className={`editor-problems ${open ? "open" : ""}`} aria-label="Problems">
      <header>
        <button type="button" className="editor-problems-toggle" aria-expanded={open} onClick={() => setOpen(!open)}>
          <span aria-hidden="true">{open ? "▾" : "▸"}</span> Problems
        </button>
        <span className={`editor-problems-summary ${errors ? "error" : warnings ? "warning" : "ok"}`} aria-live="polite">
          {summary}
        </span>
        {checking && <span className="muted">checking…</span>}
        {error && <span className="error">Could not check the flow: {error}</span>}
      </header>
      {open && problems.length > 0 && (
        <ul>
          {problems.map((problem, index) => (
            <li key={index} className={problem.severity}>
              <span className={`editor-severity ${problem.severity}`}>{problem.severity === "error" ? "Error" : "Warning"}</span>
              {problem.node_id ? (
                <button type="button" className="link" onClick={() => onShowNode(problem.node_id!)}>
                  {nameOf(problem.node_id)}
                </button>
              ) : (
                <span className="muted">Flow</span>
              )}
              <span className="editor-problem-message">{problem.message}</span>
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}
