import { useState } from "react";
import { Link } from "react-router-dom";
import type { Flow, FlowList } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { formatDateTime } from "../components/format";
import { EmptyState, Loaded, PageHeader } from "../components/PageState";
import { useApi } from "../components/useApi";
import { FlowImportButton } from "./flows/FlowImportButton";
import { FlowRowActions } from "./flows/FlowRowActions";
import { NewFlowDialog } from "./flows/NewFlowDialog";

function PublishedVersion({ flow }: { flow: Flow }) {
  if (flow.latest_version === null) return <span className="badge muted-badge">Draft only</span>;
  return <span className="badge ok-badge">v{flow.latest_version}</span>;
}

function BoundChannels({ flow }: { flow: Flow }) {
  if (flow.channels.length === 0) return <span className="muted">—</span>;
  return <>{flow.channels.map((channel) => channel.name).join(", ")}</>;
}

/** Every flow: open, create, import, duplicate, export, delete. */
export function FlowsPage() {
  const flows = useApi<FlowList>("/flows");
  const [creating, setCreating] = useState(false);
  const [notice, setNotice] = useState<string | null>(null);
  const [actionError, setActionError] = useState<unknown>(null);

  async function changed(message: string) {
    setActionError(null);
    setNotice(message);
    await flows.reload();
  }

  function failed(error: unknown) {
    setNotice(null);
    setActionError(error);
  }

  return (
    <section>
      <PageHeader title="Flows">
        <FlowImportButton onError={failed}
          onImported={(flow) => void changed(`Imported ${flow.name}.`)} />
        <button type="button" className="primary" onClick={() => setCreating(true)}>
          New flow
        </button>
      </PageHeader>
      {notice && <p role="status" className="notice">{notice}</p>}
      <ErrorBanner error={actionError} />
      <Loaded loading={flows.loading} error={flows.error} what="flows">
        {flows.data?.flows.length === 0 ? (
          <EmptyState>No flows yet. Create one, or import a flow document.</EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Draft</th>
                <th>Published</th>
                <th>Channels</th>
                <th>Last edited</th>
                <th><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {flows.data?.flows.map((flow) => (
                <tr key={flow.id}>
                  <td><Link to={`/flows/${flow.id}`}>{flow.name}</Link></td>
                  <td>Revision {flow.revision}</td>
                  <td><PublishedVersion flow={flow} /></td>
                  <td><BoundChannels flow={flow} /></td>
                  <td>{formatDateTime(flow.updated_at)}</td>
                  <td><FlowRowActions flow={flow} onChanged={changed} onError={failed} /></td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      {creating && <NewFlowDialog onClose={() => setCreating(false)} />}
    </section>
  );
}
