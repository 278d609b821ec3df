import { lazy, Suspense } from "react";
import { Navigate, Route, Routes, useLocation } from "react-router-dom";
import { useAuth } from "./api/auth";
import { Layout } from "./components/Layout";
import { AgentsPage } from "./pages/AgentsPage";
import { ChannelsPage } from "./pages/ChannelsPage";
import { ConversationDetailPage } from "./pages/ConversationDetailPage";
import { ConversationsPage } from "./pages/ConversationsPage";
import { FlowsPage } from "./pages/FlowsPage";
import { KnowledgeBasesPage } from "./pages/KnowledgeBasesPage";
import { LoginPage } from "./pages/LoginPage";
import { SchedulesPage } from "./pages/SchedulesPage";
import { SkillGroupsPage } from "./pages/SkillGroupsPage";
import { WorkspacePage } from "./workspace/WorkspacePage";

// The canvas (and its graph library) loads only when a flow is opened.
const FlowEditorPage = lazy(() =>
  import("./editor/FlowEditorPage").then((module) => ({ default: module.FlowEditorPage })),
);

export function App() {
  const { user, loading } = useAuth();
  const location = useLocation();
  if (loading) return <p className="loading">Loading…</p>;
  if (!user) {
    return (
      <Routes>
        <Route path="/login" element={<LoginPage />} />
        <Route path="*" element={<Navigate to="/login" replace state={{ from: location }} />} />
      </Routes>
    );
  }
  if (user.role !== "admin") {
    // Agents work in the workspace; the admin pages would only answer 403.
    return (
      <Routes>
        <Route element={<Layout />}>
          <Route path="/workspace" element={<WorkspacePage />} />
          <Route path="*" element={<Navigate to="/workspace" replace />} />
        </Route>
      </Routes>
    );
  }
  return (
    <Routes>
      <Route path="/login" element={<Navigate to="/flows" replace />} />
      <Route
        path="/flows/:flowId"
        element={
          <Suspense fallback={<p className="loading">Loading the editor…</p>}>
            <FlowEditorPage />
          </Suspense>
        }
      />
      <Route element={<Layout />}>
        <Route path="/workspace" element={<WorkspacePage />} />
        <Route path="/flows" element={<FlowsPage />} />
        <Route path="/channels" element={<ChannelsPage />} />
        <Route path="/agents" element={<AgentsPage />} />
        <Route path="/skill-groups" element={<SkillGroupsPage />} />
        <Route path="/schedules" element={<SchedulesPage />} />
        <Route path="/knowledge-bases" element={<KnowledgeBasesPage />} />
        <Route path="/conversations" element={<ConversationsPage />} />
        <Route path="/conversations/:conversationId" element={<ConversationDetailPage />} />
        <Route path="*" element={<Navigate to="/flows" replace />} />
      </Route>
    </Routes>
  );
}
