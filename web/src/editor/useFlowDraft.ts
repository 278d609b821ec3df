// The draft being edited: loading it with the module catalogue, the undo history of document
// snapshots, the name, and saving with the revision the server expects (SPEC §7).

import { useCallback, useEffect, useRef, useState } from "react";
import { ApiError, get, put } from "../api/client";
import type { Flow, FlowDocument, ModuleSpec } from "../api/types";
import { normaliseDocument } from "./document";
import { createHistory, record, redo, reset, undo, type History } from "./history";

export type LoadState = { status: "loading" } | { status: "ready" } | { status: "failed"; message: string };

interface Saved {
  doc: FlowDocument;
  name: string;
  revision: number;
}

export type SaveResult = "saved" | "conflict" | "failed";

const EMPTY: FlowDocument = { schema_version: 1, nodes: [], edges: [] };

function message(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

export function useFlowDraft(flowId: string) {
  const [load, setLoad] = useState<LoadState>({ status: "loading" });
  const [modules, setModules] = useState<ModuleSpec[]>([]);
  const [history, setHistory] = useState<History<FlowDocument>>(() => createHistory(EMPTY, 200));
  const [saved, setSaved] = useState<Saved>({ doc: EMPTY, name: "", revision: 0 });
  const [name, setName] = useState("");
  const [latestVersion, setLatestVersion] = useState<number | null>(null);
  const [saving, setSaving] = useState(false);
  const [saveError, setSaveError] = useState<string | null>(null);
  const [conflict, setConflict] = useState<string | null>(null);

  const latest = useRef({ history, name });
  latest.current = { history, name };
  const savingRef = useRef(false);
  // The revision the server has, updated as soon as a save answers (before React re-renders).
  const revisionRef = useRef(0);

  const adopt = useCallback((flow: Flow) => {
    const doc = normaliseDocument(flow.document, flow.name);
    setHistory((h) => reset(h, doc));
    setSaved({ doc, name: flow.name, revision: flow.revision });
    revisionRef.current = flow.revision;
    setName(flow.name);
    setLatestVersion(flow.latest_version);
    setConflict(null);
    setSaveError(null);
  }, []);

  useEffect(() => {
    let live = true;
    setLoad({ status: "loading" });
    Promise.all([get<Flow>(`/flows/${encodeURIComponent(flowId)}`), get<{ modules: ModuleSpec[] }>("/modules")])
      .then(([flow, catalogue]) => {
        if (!live) return;
        setModules(catalogue.modules);
        adopt(flow);
        setLoad({ status: "ready" });
      })
      .catch((error: unknown) => {
        if (!live) return;
        const text = error instanceof ApiError && error.status === 404 ? "This flow does not exist (any more)." : message(error);
        setLoad({ status: "failed", message: text });
      });
    return () => {
      live = false;
    };
  }, [flowId, adopt]);

  /** Apply an edit to the document; edits with the same `key` in a row are one undo step. */
  const change = useCallback((edit: (doc: FlowDocument) => FlowDocument, key: string | null = null) => {
    setHistory((h) => record(h, edit(h.present), key));
  }, []);

  const undoChange = useCallback(() => setHistory(undo), []);
  const redoChange = useCallback(() => setHistory(redo), []);

  const save = useCallback(async (): Promise<SaveResult> => {
    if (savingRef.current) return "failed";
    const { history: h, name: currentName } = latest.current;
    const doc = h.present;
    const flowName = currentName.trim();
    if (!flowName) {
      setSaveError("Give the flow a name before saving.");
      return "failed";
    }
    savingRef.current = true;
    setSaving(true);
    setSaveError(null);
    try {
      const flow = await put<Flow>(`/flows/${encodeURIComponent(flowId)}`, {
        name: flowName,
        document: { ...doc, name: flowName },
        revision: revisionRef.current,
      });
      // Keep our snapshot as "saved" so that undoing back to it reads as clean again.
      setSaved({ doc, name: currentName, revision: flow.revision });
      revisionRef.current = flow.revision;
      setLatestVersion(flow.latest_version);
      return "saved";
    } catch (error) {
      if (error instanceof ApiError && error.code === "revision_conflict") {
        setConflict(error.message);
        return "conflict";
      }
      setSaveError(message(error));
      return "failed";
    } finally {
      savingRef.current = false;
      setSaving(false);
    }
  }, [flowId]);

  /** Discard local changes and load the server's draft. */
  const reload = useCallback(async () => {
    try {
      adopt(await get<Flow>(`/flows/${encodeURIComponent(flowId)}`));
    } catch (error) {
      setSaveError(message(error));
    }
  }, [flowId, adopt]);

  const doc = history.present;
  const dirty = doc !== saved.doc || name !== saved.name;

  return {
    load,
    modules,
    doc,
    history,
    name,
    setName,
    dirty,
    revision: saved.revision,
    getRevision: useCallback(() => revisionRef.current, []),
    latestVersion,
    setLatestVersion,
    saving,
    saveError,
    conflict,
    dismissConflict: () => setConflict(null),
    change,
    undo: undoChange,
    redo: redoChange,
    save,
    reload,
    adopt,
  };
}

export type FlowDraft = ReturnType<typeof useFlowDraft>;
