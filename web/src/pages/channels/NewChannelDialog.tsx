import { useState, type FormEvent } from "react";
import { post } from "../../api/client";
import type { Channel, ChannelCreate, ChannelType } from "../../api/types";
import { Dialog, DialogActions } from "../../components/Dialog";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field } from "../../components/Field";

interface NewChannelDialogProps {
  onCreated(channel: Channel): Promise<void>;
  onClose(): void;
}

/** Name and type of a new channel; the rest is set in its own dialog afterwards. */
export function NewChannelDialog({ onCreated, onClose }: NewChannelDialogProps) {
  const [name, setName] = useState("");
  const [type, setType] = useState<ChannelType>("web");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      const body: ChannelCreate = { name: name.trim(), type };
      await onCreated(await post<Channel>("/channels", body));
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog title="New channel" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Name">
          <input value={name} required maxLength={200} data-autofocus
            onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Type">
          <select value={type} onChange={(e) => setType(e.target.value as ChannelType)}>
            <option value="web">Web chat widget</option>
            <option value="api">HTTP API</option>
          </select>
        </Field>
        <ErrorBanner error={error} />
        <DialogActions>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy || !name.trim()}>
            {busy ? "Creating…" : "Create"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
