import { useState } from "react";
import { Link } from "react-router-dom";
import { del } from "../api/client";
import type { Channel, ChannelList, Flow, FlowList } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { EmptyState, Loaded, PageHeader } from "../components/PageState";
import { useApi } from "../components/useApi";
import { ChannelDialog } from "./channels/ChannelDialog";
import { NewChannelDialog } from "./channels/NewChannelDialog";

function BoundFlow({ channel, flows }: { channel: Channel; flows: Flow[] }) {
  if (channel.flow_id === null) return <span className="badge warn-badge">No flow</span>;
  const flow = flows.find((item) => item.id === channel.flow_id);
  return <Link to={`/flows/${channel.flow_id}`}>{flow ? flow.name : channel.flow_id}</Link>;
}

/** Every channel customers write to, with the flow that answers them. */
export function ChannelsPage() {
  const channels = useApi<ChannelList>("/channels");
  const flows = useApi<FlowList>("/flows");
  const [creating, setCreating] = useState(false);
  const [openId, setOpenId] = useState<string | null>(null);
  const flowList = flows.data?.flows ?? [];
  const open = channels.data?.channels.find((channel) => channel.id === openId);

  async function refresh() {
    await Promise.all([channels.reload(), flows.reload()]);
  }

  return (
    <section>
      <PageHeader title="Channels">
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New channel
        </button>
      </PageHeader>
      <Loaded loading={channels.loading || flows.loading} error={channels.error ?? flows.error}
        what="channels">
        {channels.data?.channels.length === 0 ? (
          <EmptyState>No channels yet. Create one to give customers a way in.</EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Type</th>
                <th>Flow</th>
                <th>Enabled</th>
                <th><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {channels.data?.channels.map((channel) => (
                <tr key={channel.id}>
                  <td>{channel.name}</td>
                  <td>{channel.type === "web" ? "Web" : "API"}</td>
                  <td><BoundFlow channel={channel} flows={flowList} /></td>
                  <td>{channel.enabled ? "Yes" : <span className="muted">No</span>}</td>
                  <td>
                    <div className="row-actions">
                      <button type="button" aria-label={`View or edit ${channel.name}`}
                        onClick={() => setOpenId(channel.id)}>
                        View / Edit
                      </button>
                      <ConfirmButton
                        label="Delete"
                        ariaLabel={`Delete ${channel.name}`}
                        title={`Delete channel “${channel.name}”?`}
                        message={<p>Its key stops working at once; sites embedding it lose the chat.
                          Ended conversations on it are deleted too.</p>}
                        onConfirm={async () => {
                          await del(`/channels/${channel.id}`);
                          await refresh();
                        }}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      {creating && (
        <NewChannelDialog
          onClose={() => setCreating(false)}
          onCreated={async (channel) => {
            await refresh();
            setCreating(false);
            setOpenId(channel.id);
          }}
        />
      )}
      {open && (
        <ChannelDialog channel={open} flows={flowList} onChanged={refresh}
          onClose={() => setOpenId(null)} />
      )}
    </section>
  );
}
