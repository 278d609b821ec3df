// Publish: a note for the version, then save (if needed) and publish; a refusal lists the problems.

import { useState } from "react";
import type { Problem } from "../api/types";
import { EditorDialog } from "./EditorDialog";

interface PublishDialogProps {
  dirty: boolean;
  busy: boolean;
  error: string | null;
  problems: readonly Problem[] | null;
  onPublish(note: string): void;
  onClose(): void;
}

export function PublishDialog({ dirty, busy, error, problems, onPublish, onClose }: PublishDialogProps) {
  const [note, setNote] = useState("");
  return (
    <EditorDialog
      title="Publish this flow"
      onClose={onClose}
      actions={
        <>
          <button type="button" onClick={onClose}>
            Cancel
          </button>
          <button type="button" className="primary" disabled={busy} onClick={() => onPublish(note)}>
            {busy ? "Publishing…" : dirty ? "Save and publish" : "Publish"}
          </button>
        </>
      }
    >
      <p className="muted">
        Conversations that start from now on use the new version; those in progress keep theirs.
        {dirty && " Your unsaved changes are saved first."}
      </p>
      <div className="editor-field">
        <label htmlFor="publish-note">Note</label>
        <textarea id="publish-note" rows={3} maxLength={1000} value={note} placeholder="What changed in this version?" onChange={(e) => setNote(e.target.value)} />
      </div>
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      {problems && problems.length > 0 && (
        <div role="alert">
          <p className="error">The flow has errors and cannot be published:</p>
          <ul className="editor-dialog-problems">
            {problems.map((p, i) => (
              <li key={i} className={p.severity}>
                <strong>{p.severity === "error" ? "Error" : "Warning"}:</strong> {p.message}
              </li>
            ))}
          </ul>
        </div>
      )}
    </EditorDialog>
  );
}
