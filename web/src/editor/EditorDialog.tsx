// A modal dialog (the native <dialog>, so focus and Escape behave as users expect).

import { useEffect, useId, useRef, type ReactNode } from "react";

interface EditorDialogProps {
  title: string;
  onClose(): void;
  children: ReactNode;
  actions: ReactNode;
}

export function EditorDialog({ title, onClose, children, actions }: EditorDialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  useEffect(() => {
    const dialog = ref.current;
    if (dialog && !dialog.open) dialog.showModal();
    return () => dialog?.close();
  }, []);
  return (
    <dialog
      ref={ref}
      className="editor-dialog"
      aria-labelledby={titleId}
      onCancel={(event) => {
        event.preventDefault();
        onClose();
      }}
    >
      <h2 id={titleId}>{title}</h2>
      {children}
      <div className="editor-dialog-actions">{actions}</div>
    </dialog>
  );
}
