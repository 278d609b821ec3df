import { useState, type FormEvent } from "react";
import { useNavigate } from "react-router-dom";
import { post } from "../../api/client";
import type { Flow, FlowCreate } from "../../api/types";
import { Dialog, DialogActions } from "../../components/Dialog";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field } from "../../components/Field";

/** Asks for a name, creates the flow (with its start node) and opens it on the canvas. */
export function NewFlowDialog({ onClose }: { onClose(): void }) {
  const navigate = useNavigate();
  const [name, setName] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: FlowCreate = { name: name.trim() };
      const flow = await post<Flow>("/flows", body);
      navigate(`/flows/${flow.id}`);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog title="New flow" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Name">
          <input value={name} required maxLength={200} data-autofocus
            onChange={(event) => setName(event.target.value)} />
        </Field>
        <ErrorBanner error={error} />
        <DialogActions>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || !name.trim()}>
            {busy ? "Creating…" : "Create and open"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
