// Someone else saved this flow since it was loaded: reload theirs, or keep editing mine.

import { EditorDialog } from "./EditorDialog";

interface RevisionConflictDialogProps {
  message: string;
  onReload(): void;
  onKeepEditing(): void;
}

export function RevisionConflictDialog({ message, onReload, onKeepEditing }: RevisionConflictDialogProps) {
  return (
    <EditorDialog
      title="Someone else saved this flow"
      onClose={onKeepEditing}
      actions={
        <>
          <button type="button" onClick={onKeepEditing}>
            Keep editing
          </button>
          <button type="button" className="primary" onClick={onReload}>
            Reload
          </button>
        </>
      }
    >
      <p>The flow was changed and saved elsewhere since you opened it, so your changes were not saved.</p>
      <p className="muted">{message}</p>
      <ul className="editor-choices">
        <li>
          <strong>Reload</strong> discards your changes and loads the saved version.
        </li>
        <li>
          <strong>Keep editing</strong> keeps your changes on screen; saving will keep failing until you reload, so note
          what you changed first.
        </li>
      </ul>
    </EditorDialog>
  );
}
