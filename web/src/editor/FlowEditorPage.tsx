// The flow editor (`/flows/:flowId`): full screen, with the palette on the left, the canvas in
// the middle, the selected node's settings (or the test chat, or versions) on the right and the
// problems below. The document is the single source of truth; the canvas is derived from it.

import { ReactFlowProvider, useReactFlow } from "@xyflow/react";
import "@xyflow/react/dist/style.css";
import "./editor.css";
import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { Link, useParams } from "react-router-dom";
import { ApiError, post } from "../api/client";
import type { Flow, FlowVersion, Position, Problem } from "../api/types";
import {
  addNode,
  connect,
  createNode,
  edgesBySource,
  isDeletable,
  moveNodes,
  portsWithEdges,
  removeEdges,
  removeNodes,
  renameNode,
  specsByType,
  updateNodeConfig,
  type CanvasEdge,
  type CanvasNode,
} from "./document";
import { EditorTopBar, type SideTab } from "./EditorTopBar";
import { FlowCanvas } from "./FlowCanvas";
import { VariablesContext } from "./formContext";
import { canRedo, canUndo } from "./history";
import { autoLayout, estimatedSize } from "./layout";
import { ModulePalette } from "./ModulePalette";
import { NodeConfigPanel, nodeTargets } from "./NodeConfigPanel";
import { ProblemsPanel } from "./ProblemsPanel";
import { countByNode, problemsFromDetails } from "./problems";
import { PublishDialog } from "./PublishDialog";
import { forgetReferences } from "./references";
import { RevisionConflictDialog } from "./RevisionConflictDialog";
import { SimulatorPanel } from "./SimulatorPanel";
import { useCanvasState } from "./useCanvasState";
import { useEditorShortcuts } from "./useEditorShortcuts";
import { useFlowDraft } from "./useFlowDraft";
import { useValidation } from "./useValidation";
import { knownVariables } from "./variables";
import { VersionsPanel } from "./VersionsPanel";

const LEAVE_WARNING = "You have unsaved changes. Leave without saving them?";

export function FlowEditorPage() {
  const { flowId = "" } = useParams();
  return (
    <ReactFlowProvider key={flowId}>
      <FlowEditor flowId={flowId} />
    </ReactFlowProvider>
  );
}

function FlowEditor({ flowId }: { flowId: string }) {
  const draft = useFlowDraft(flowId);
  const { doc, change, modules } = draft;
  const ready = draft.load.status === "ready";
  const { problems, setProblems, checking, error: validationError } = useValidation(flowId, doc, ready);
  const { screenToFlowPosition, setCenter, getZoom, getInternalNode, fitView } = useReactFlow<CanvasNode, CanvasEdge>();

  const specs = useMemo(() => specsByType(modules), [modules]);
  const problemCounts = useMemo(() => countByNode(problems), [problems]);
  const variables = useMemo(() => knownVariables(doc), [doc]);
  const [activeNodeId, setActiveNodeId] = useState<string | null>(null);
  const [tab, setTab] = useState<SideTab>("node");
  const [testOpened, setTestOpened] = useState(false);
  const [publishing, setPublishing] = useState<{ busy: boolean; error: string | null; problems: Problem[] | null } | null>(null);
  const [notice, setNotice] = useState<string | null>(null);
  const [versionsKey, setVersionsKey] = useState(0);

  useEffect(() => forgetReferences(), []);

  const docRef = useRef(doc);
  docRef.current = doc;
  const getDocument = useCallback(() => docRef.current, []);

  // ---------------------------------------------------------------- canvas

  const canvasInputs = useMemo(() => ({ specs, problems: problemCounts, activeNodeId }), [specs, problemCounts, activeNodeId]);
  const { nodes, edges, selectedId, onNodesChange, onEdgesChange, select, selectWhenAdded } = useCanvasState(doc, canvasInputs, change);

  // A new selection switches from the versions list to the node's settings (not from a test).
  const tabRef = useRef(tab);
  tabRef.current = tab;
  useEffect(() => {
    if (selectedId && tabRef.current === "versions") setTab("node");
  }, [selectedId]);

  const onConnect = useCallback((source: string, port: string, target: string) => change((d) => connect(d, source, port, target)), [change]);

  const onDelete = useCallback(
    (nodeIds: string[], gone: CanvasEdge[]) =>
      change((d) =>
        removeEdges(
          removeNodes(d, nodeIds, specs),
          gone.flatMap((e) => (e.data ? [e.data.edge] : [])),
        ),
      ),
    [change, specs],
  );

  const addModule = useCallback(
    (type: string, at?: Position) => {
      const spec = specs.get(type);
      if (!spec) return;
      let position = at;
      if (!position) {
        const pane = document.querySelector(".editor-canvas")?.getBoundingClientRect();
        const centre = pane ? { x: pane.left + pane.width / 2, y: pane.top + pane.height / 2 } : { x: window.innerWidth / 2, y: window.innerHeight / 2 };
        const flowCentre = screenToFlowPosition(centre);
        // Nudge repeated clicks so new nodes do not pile up exactly on each other.
        const offset = (docRef.current.nodes.length % 5) * 24;
        position = { x: flowCentre.x - 94 + offset, y: flowCentre.y - 40 + offset };
      }
      const node = createNode(docRef.current, spec, position);
      selectWhenAdded(node.id);
      change((d) => addNode(d, node));
      setTab("node");
    },
    [specs, change, screenToFlowPosition, selectWhenAdded],
  );

  const showNode = useCallback(
    (id: string) => {
      select(id);
      setTab("node");
      const internal = getInternalNode(id);
      if (!internal) return;
      const width = internal.measured.width ?? 188;
      const height = internal.measured.height ?? 90;
      const { x, y } = internal.internals.positionAbsolute;
      void setCenter(x + width / 2, y + height / 2, { zoom: Math.max(getZoom(), 0.9), duration: 300 });
    },
    [select, getInternalNode, setCenter, getZoom],
  );

  const layout = useCallback(() => {
    const measured = new Map(nodes.map((n) => [n.id, n]));
    change((d) =>
      moveNodes(
        d,
        autoLayout(d, (id) => {
          const node = measured.get(id);
          if (node?.measured?.width && node.measured.height) return { width: node.measured.width, height: node.measured.height };
          return estimatedSize(node?.data.ports.length ?? 1);
        }),
      ),
    );
    window.setTimeout(() => void fitView({ duration: 300, maxZoom: 1, padding: 0.15 }), 60);
  }, [nodes, change, fitView]);

  // ---------------------------------------------------------------- selected node panel

  const selectedNode = useMemo(() => doc.nodes.find((n) => n.id === selectedId) ?? null, [doc.nodes, selectedId]);
  const outgoing = useMemo(() => edgesBySource(doc.edges), [doc.edges]);
  const selectedEdges = useMemo(() => (selectedId ? outgoing.get(selectedId) ?? [] : []), [outgoing, selectedId]);
  const selectedPorts = useMemo(
    () => (selectedNode ? portsWithEdges(selectedNode, specs.get(selectedNode.type), selectedEdges) : []),
    [selectedNode, specs, selectedEdges],
  );
  const selectedProblems = useMemo(() => problems.filter((p) => p.node_id && p.node_id === selectedId), [problems, selectedId]);
  const targets = useMemo(() => nodeTargets(doc.nodes), [doc.nodes]);

  const onRename = useCallback((id: string, name: string) => change((d) => renameNode(d, id, name), `name:${id}`), [change]);
  const onConfig = useCallback(
    (id: string, config: Record<string, unknown>, path: readonly (string | number)[]) =>
      change((d) => updateNodeConfig(d, id, config, specs), `config:${id}:${path.join(".")}`),
    [change, specs],
  );
  const onPortTarget = useCallback(
    (id: string, port: string, target: string | null) =>
      change((d) => (target ? connect(d, id, port, target) : removeEdges(d, d.edges.filter((e) => e.source === id && e.port === port)))),
    [change],
  );
  const onDeleteNode = useCallback((id: string) => change((d) => removeNodes(d, [id], specs)), [change, specs]);

  // ---------------------------------------------------------------- save, publish, leave

  const { save, dirty } = draft;
  const saveNow = useCallback(async () => {
    const result = await save();
    if (result === "saved") setNotice("Saved");
    return result;
  }, [save]);

  const publish = async (note: string) => {
    setPublishing({ busy: true, error: null, problems: null });
    if (dirty) {
      const result = await saveNow();
      if (result !== "saved") {
        setPublishing(result === "conflict" ? null : { busy: false, error: "The flow could not be saved, so it was not published.", problems: null });
        return;
      }
    }
    try {
      // With the revision just saved: if someone saved since, publishing theirs unseen is refused.
      const version = await post<FlowVersion>(`/flows/${encodeURIComponent(flowId)}/publish`, { note, revision: draft.getRevision() });
      draft.setLatestVersion(version.version);
      setVersionsKey((k) => k + 1);
      setPublishing(null);
      setNotice(`Published version ${version.version}`);
    } catch (error) {
      if (error instanceof ApiError && error.code === "flow_invalid") {
        const list = problemsFromDetails(error.details);
        setProblems(list);
        setPublishing({ busy: false, error: null, problems: list });
      } else if (error instanceof ApiError && error.code === "revision_conflict") {
        setPublishing({ busy: false, error: "The draft changed on the server meanwhile; reload it and try again.", problems: null });
      } else {
        setPublishing({ busy: false, error: error instanceof Error ? error.message : String(error), problems: null });
      }
    }
  };

  useEffect(() => {
    if (!notice) return;
    const timer = window.setTimeout(() => setNotice(null), 3000);
    return () => window.clearTimeout(timer);
  }, [notice]);

  useEffect(() => {
    if (!dirty) return;
    const warn = (event: BeforeUnloadEvent) => {
      event.preventDefault();
      event.returnValue = ""; // older browsers need it to show the prompt
    };
    window.addEventListener("beforeunload", warn);
    return () => window.removeEventListener("beforeunload", warn);
  }, [dirty]);

  const onBack = (event: MouseEvent) => {
    if (dirty && !window.confirm(LEAVE_WARNING)) event.preventDefault();
  };

  const { adopt } = draft;
  const onRestored = useCallback(
    (flow: Flow) => {
      adopt(flow);
      setNotice("Version restored into the draft");
    },
    [adopt],
  );

  useEditorShortcuts({ save: () => void saveNow(), undo: draft.undo, redo: draft.redo });

  // ---------------------------------------------------------------- render

  if (draft.load.status !== "ready") {
    return (
      <div className="editor editor-loading">
        <Link to="/flows">← Back to flows</Link>
        {draft.load.status === "loading" ? <p className="loading">Loading the flow…</p> : <p className="error">{draft.load.message}</p>}
      </div>
    );
  }

  const errors = problems.filter((p) => p.severity === "error").length;
  const status = draft.saving ? "Saving…" : notice ?? (dirty ? "Unsaved changes" : "All changes saved");

  return (
    <div className="editor">
      <EditorTopBar
        name={draft.name}
        onName={draft.setName}
        status={status}
        dirty={dirty}
        latestVersion={draft.latestVersion}
        canUndo={canUndo(draft.history)}
        canRedo={canRedo(draft.history)}
        onUndo={draft.undo}
        onRedo={draft.redo}
        onLayout={layout}
        onFitView={() => void fitView({ duration: 300, maxZoom: 1, padding: 0.15 })}
        saving={draft.saving}
        saveError={draft.saveError}
        tab={tab}
        onToggleTab={(wanted) => {
          if (wanted === "test") setTestOpened(true);
          setTab(tab === wanted ? "node" : wanted);
        }}
        errorCount={errors}
        onSave={() => void saveNow()}
        onPublish={() => setPublishing({ busy: false, error: null, problems: null })}
        onBack={onBack}
      />

      <div className="editor-body">
        <ModulePalette modules={modules} onAdd={addModule} />
        <main className="editor-main">
          <FlowCanvas
            nodes={nodes}
            edges={edges}
            onNodesChange={onNodesChange}
            onEdgesChange={onEdgesChange}
            onConnect={onConnect}
            onDelete={onDelete}
            onDropModule={addModule}
          />
          <ProblemsPanel problems={problems} nodes={doc.nodes} checking={checking} error={validationError} onShowNode={showNode} />
        </main>
        <aside className="editor-side" aria-label="Side panel">
          {tab !== "node" && (
            <button type="button" className="link editor-side-back" onClick={() => setTab("node")}>
              ← Node settings
            </button>
          )}
          <div className="editor-side-body">
            {tab === "node" &&
              (selectedNode ? (
                <VariablesContext.Provider value={variables}>
                  <NodeConfigPanel
                    node={selectedNode}
                    spec={specs.get(selectedNode.type)}
                    ports={selectedPorts}
                    edges={selectedEdges}
                    targets={targets}
                    problems={selectedProblems}
                    deletable={isDeletable(selectedNode, specs)}
                    onRename={onRename}
                    onConfig={onConfig}
                    onConnect={onPortTarget}
                    onDelete={onDeleteNode}
                  />
                </VariablesContext.Provider>
              ) : (
                <p className="muted editor-empty-panel">Select a node to edit it, or add one from the palette.</p>
              ))}
            {testOpened && (
              <div hidden={tab !== "test"}>
                <SimulatorPanel flowId={flowId} getDocument={getDocument} onNodeChange={setActiveNodeId} />
              </div>
            )}
            {tab === "versions" && <VersionsPanel flowId={flowId} refreshKey={versionsKey} dirty={dirty} onRestored={onRestored} />}
          </div>
        </aside>
      </div>

      {publishing && (
        <PublishDialog
          dirty={dirty}
          busy={publishing.busy}
          error={publishing.error}
          problems={publishing.problems}
          onPublish={(note) => void publish(note)}
          onClose={() => setPublishing(null)}
        />
      )}
      {draft.conflict !== null && (
        <RevisionConflictDialog message={draft.conflict} onReload={() => void draft.reload()} onKeepEditing={draft.dismissConflict} />
      )}
    </div>
  );
}
