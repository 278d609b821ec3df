// The editor's top bar: back to the list, the flow's name, save state, canvas tools, and on the
// right the panels (Versions, Test) and the two actions that reach the server (Save, Publish).

import type { MouseEvent } from "react";
import { Link } from "react-router-dom";

export type SideTab = "node" | "test" | "versions";

interface EditorTopBarProps {
  name: string;
  onName(name: string): void;
  status: string;
  dirty: boolean;
  latestVersion: number | null;
  canUndo: boolean;
  canRedo: boolean;
  onUndo(): void;
  onRedo(): void;
  onLayout(): void;
  onFitView(): void;
  saving: boolean;
  saveError: string | null;
  tab: SideTab;
  onToggleTab(tab: "test" | "versions"): void;
  errorCount: number;
  onSave(): void;
  onPublish(): void;
  onBack(event: MouseEvent): void;
}

export function EditorTopBar(props: EditorTopBarProps) {
  const { tab, onToggleTab } = props;
  return (
    <header className="editor-topbar">
      <Link to="/flows" className="editor-back" onClick={props.onBack}>
        ← Back to flows
      </Link>
      <input className="editor-name" aria-label="Flow name" value={props.name} maxLength={200} onChange={(event) => props.onName(event.target.value)} />
      <span className={`editor-status ${props.dirty ? "dirty" : ""}`} role="status">
        {props.status}
      </span>
      <span className="muted editor-version">{props.latestVersion ? `Published: v${props.latestVersion}` : "Not published"}</span>
      <div className="editor-tools" role="toolbar" aria-label="Canvas tools">
        <button type="button" onClick={props.onUndo} disabled={!props.canUndo} title="Undo (Ctrl+Z)">
          Undo
        </button>
        <button type="button" onClick={props.onRedo} disabled={!props.canRedo} title="Redo (Ctrl+Shift+Z)">
          Redo
        </button>
        <button type="button" onClick={props.onLayout} title="Arrange the nodes left to right">
          Auto-layout
        </button>
        <button type="button" onClick={props.onFitView}>
          Fit view
        </button>
      </div>
      <span className="editor-spacer" />
      {props.saveError && (
        <span className="error editor-save-error" role="alert">
          {props.saveError}
        </span>
      )}
      <button type="button" aria-pressed={tab === "versions"} onClick={() => onToggleTab("versions")}>
        Versions
      </button>
      <button type="button" aria-pressed={tab === "test"} onClick={() => onToggleTab("test")}>
        Test
      </button>
      <button type="button" className="primary" onClick={props.onSave} disabled={props.saving} title="Save (Ctrl+S)">
        Save
      </button>
      <button type="button" onClick={props.onPublish} title={props.errorCount ? "The flow has errors" : undefined}>
        Publish
      </button>
    </header>
  );
}
