// Published versions of the flow, newest first; restoring one copies it into the draft.

import { useCallback, useEffect, useState } from "react";
import { ApiError, get, post } from "../api/client";
import type { Flow, FlowVersion } from "../api/types";
import { loadReferences } from "./references";

interface VersionsPanelProps {
  flowId: string;
  /** Changes when a new version is published, to refresh the list. */
  refreshKey: number;
  dirty: boolean;
  onRestored(flow: Flow): void;
}

function when(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

export function VersionsPanel({ flowId, refreshKey, dirty, onRestored }: VersionsPanelProps) {
  const [versions, setVersions] = useState<FlowVersion[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState<number | null>(null);
  const [people, setPeople] = useState<ReadonlyMap<string, string>>(new Map());
  useEffect(() => {
    // Authors are user ids; show their names when the user list is readable.
    loadReferences("agent_id")
      .then((users) => setPeople(new Map(users.map((u) => [u.id, u.label]))))
      .catch(() => undefined);
  }, []);

  const load = useCallback(() => {
    get<{ versions: FlowVersion[] }>(`/flows/${encodeURIComponent(flowId)}/versions`)
      .then((r) => {
        setVersions(r.versions);
        setError(null);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, [flowId]);
  useEffect(load, [load, refreshKey]);

  const restore = async (version: number) => {
    const warning = dirty ? " Your unsaved changes will be lost." : "";
    if (!window.confirm(`Restore version ${version} into the draft?${warning}`)) return;
    setBusy(version);
    try {
      const flow = await post<Flow>(`/flows/${encodeURIComponent(flowId)}/versions/${version}/restore`);
      onRestored(flow);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : String(e));
    } finally {
      setBusy(null);
    }
  };

  return (
    <section className="editor-versions" aria-label="Versions">
      <h2>Published versions</h2>
      {error && <p className="error">{error}</p>}
      {versions === null && !error && <p className="muted">Loading…</p>}
      {versions?.length === 0 && <p className="muted">Not published yet.</p>}
      <ol>
        {versions?.map((v) => (
          <li key={v.version}>
            <div className="editor-version-head">
              <strong>Version {v.version}</strong>
              <button type="button" disabled={busy !== null} onClick={() => void restore(v.version)} aria-label={`Restore version ${v.version}`}>
                {busy === v.version ? "Restoring…" : "Restore"}
              </button>
            </div>
            <div className="muted">
              {when(v.published_at)}
              {v.published_by && <> · by {people.get(v.published_by) ?? v.published_by}</>}
            </div>
            {v.note && <p className="editor-version-note">{v.note}</p>}
          </li>
        ))}
      </ol>
    </section>
  );
}
