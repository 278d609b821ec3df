import { useState, type ReactNode } from "react";
import { Dialog, DialogActions } from "./Dialog";
import { ErrorBanner } from "./ErrorBanner";

interface ConfirmButtonProps {
  /** The button's text, e.g. "Delete". */
  label: string;
  /** The accessible name when the text alone is ambiguous in a list, e.g. "Delete Sales". */
  ariaLabel?: string;
  /** The question, e.g. "Delete flow Sales?". */
  title: string;
  /** What will happen, in a sentence or two. */
  message: ReactNode;
  confirmLabel?: string;
  onConfirm(): Promise<unknown>;
  className?: string;
}

/**
 * A destructive action behind a question. If the server refuses (e.g. 409 `flow_in_use`),
 * the dialog stays open with the server's explanation.
 */
export function ConfirmButton(props: ConfirmButtonProps) {
  const { label, ariaLabel, title, message, confirmLabel = label, onConfirm } = props;
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function confirm() {
    setBusy(true);
    setError(null);
    try {
      await onConfirm();
      setOpen(false);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <>
      <button
        type="button"
        className={props.className ?? "danger"}
        aria-label={ariaLabel}
        onClick={() => {
          setError(null);
          setOpen(true);
        }}
      >
        {label}
      </button>
      {open && (
        <Dialog title={title} onClose={() => setOpen(false)}>
          <div className="confirm-message">{message}</div>
          <ErrorBanner error={error} />
          <DialogActions>
            <button type="button" data-autofocus onClick={() => setOpen(false)}>
              Cancel
            </button>
            <button type="button" className="primary danger-fill" disabled={busy}
              onClick={() => void confirm()}>
              {busy ? "Working…" : confirmLabel}
            </button>
          </DialogActions>
        </Dialog>
      )}
    </>
  );
}
