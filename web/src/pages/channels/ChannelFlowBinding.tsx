import { useState } from "react";
import { del, put } from "../../api/client";
import type { Channel, Flow } from "../../api/types";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field } from "../../components/Field";

interface ChannelFlowBindingProps {
  channel: Channel;
  flows: Flow[];
  onChanged(channel: Channel): Promise<void>;
}

/** Associate a published flow with the channel, or unbind it. */
export function ChannelFlowBinding({ channel, flows, onChanged }: ChannelFlowBindingProps) {
  const published = flows.filter((flow) => flow.latest_version !== null);
  const bound = flows.find((flow) => flow.id === channel.flow_id);
  const [choice, setChoice] = useState(channel.flow_id ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function apply(request: () => Promise<Channel>) {
    setBusy(true);
    setError(null);
    try {
      const updated = await request();
      setChoice(updated.flow_id ?? "");
      await onChanged(updated);
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <fieldset>
      <legend>Flow</legend>
      <p className="muted">
        {channel.flow_id === null
          ? "No flow is bound: customers on this channel are told it is unavailable."
          : `Customers are served by ${bound ? bound.name : channel.flow_id}` +
            (bound?.latest_version ? ` (latest published version v${bound.latest_version}).` : ".")}
      </p>
      <div className="inline-form">
        <Field label="Associate flow">
          <select value={choice} onChange={(e) => setChoice(e.target.value)}>
            <option value="">Choose a published flow…</option>
            {published.map((flow) => (
              <option key={flow.id} value={flow.id}>
                {flow.name} (v{flow.latest_version})
              </option>
            ))}
          </select>
        </Field>
        <button type="button" className="primary" disabled={busy || !choice || choice === channel.flow_id}
          onClick={() => void apply(() => put<Channel>(`/channels/${channel.id}/flow`, { flow_id: choice }))}>
          Apply
        </button>
        {channel.flow_id !== null && (
          <button type="button" disabled={busy}
            onClick={() => void apply(() => del<Channel>(`/channels/${channel.id}/flow`))}>
            Unbind
          </button>
        )}
      </div>
      {published.length === 0 && (
        <p className="hint">No flow has a published version yet: publish one on the canvas first.</p>
      )}
      <ErrorBanner error={error} />
    </fieldset>
  );
}
