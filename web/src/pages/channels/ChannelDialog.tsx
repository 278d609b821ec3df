import { useState, type FormEvent } from "react";
import { patch } from "../../api/client";
import type { Channel, ChannelPatch, Flow } from "../../api/types";
import { Dialog, DialogActions } from "../../components/Dialog";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field, Switch } from "../../components/Field";
import { ChannelFlowBinding } from "./ChannelFlowBinding";
import { ChannelSettingsFields } from "./ChannelSettingsFields";
import { settingsBody, settingsForm } from "./channelSettings";
import { EmbedSnippet } from "./EmbedSnippet";

interface ChannelDialogProps {
  channel: Channel;
  flows: Flow[];
  onChanged(channel: Channel): Promise<void>;
  onClose(): void;
}

/** One channel: its flow, its embed snippet, and its name, switch and settings. */
export function ChannelDialog({ channel, flows, onChanged, onClose }: ChannelDialogProps) {
  const [name, setName] = useState(channel.name);
  const [enabled, setEnabled] = useState(channel.enabled);
  const [settings, setSettings] = useState(() => settingsForm(channel));
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function save(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setSaved(false);
    setError(null);
    try {
      const body: ChannelPatch = { name: name.trim(), enabled, settings: settingsBody(settings) };
      const updated = await patch<Channel>(`/channels/${channel.id}`, body);
      // Show what the server stored (it normalises, e.g. origins lose a trailing slash).
      setName(updated.name);
      setEnabled(updated.enabled);
      setSettings(settingsForm(updated));
      await onChanged(updated);
      setSaved(true);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <Dialog title={`Channel ${channel.name}`} onClose={onClose} wide>
      <dl className="facts">
        <div><dt>Type</dt><dd>{channel.type === "web" ? "Web chat widget" : "HTTP API"}</dd></div>
        <div><dt>Channel key</dt><dd><code>{channel.key}</code></dd></div>
      </dl>
      <ChannelFlowBinding channel={channel} flows={flows} onChanged={onChanged} />
      {channel.type === "web" && channel.snippet && <EmbedSnippet snippet={channel.snippet} />}
      <form onSubmit={(event) => void save(event)}>
        <fieldset>
          <legend>Channel</legend>
          <Field label="Name">
            <input value={name} required maxLength={200} onChange={(e) => setName(e.target.value)} />
          </Field>
          <Switch label="Enabled (customers can start conversations)" checked={enabled}
            onChange={setEnabled} />
        </fieldset>
        <ChannelSettingsFields form={settings} widget={channel.type === "web"} onChange={(form) => {
          setSaved(false);
          setSettings(form);
        }} />
        <ErrorBanner error={error} />
        <DialogActions>
          <span role="status" className="ok-text">{saved && "Saved"}</span>
          <button type="button" onClick={onClose}>Close</button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : "Save changes"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
