import { Link, useParams } from "react-router-dom";
import type { ChannelList, FlowList, SkillGroupList, UserList } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { Loading, PageHeader } from "../components/PageState";
import { useApi } from "../components/useApi";
import { ConversationFacts } from "./conversations/ConversationFacts";
import { PathList } from "./conversations/PathList";
import { Transcript } from "./conversations/Transcript";
import { useConversationDetail } from "./conversations/useConversationDetail";
import { VariablesTable } from "./conversations/VariablesTable";

/** One conversation: its facts, the transcript, its variables and the nodes it passed. */
export function ConversationDetailPage() {
  const { conversationId = "" } = useParams();
  const { conversation, messages, version, error } = useConversationDetail(conversationId);
  const channels = useApi<ChannelList>("/channels");
  const users = useApi<UserList>("/users");
  const groups = useApi<SkillGroupList>("/skill-groups");
  const flows = useApi<FlowList>("/flows");

  return (
    <section>
      <p className="breadcrumb"><Link to="/conversations">← Conversations</Link></p>
      <PageHeader title="Conversation" />
      <ErrorBanner error={error} />
      {!error && (!conversation || !messages) && <Loading what="the conversation" />}
      {conversation && messages && (
        <>
          <div className="card">
            <ConversationFacts conversation={conversation}
              channels={channels.data?.channels ?? []} users={users.data?.users ?? []}
              groups={groups.data?.skill_groups ?? []}
              flowName={flows.data?.flows.find((flow) => flow.id === conversation.flow_id)?.name} />
          </div>
          <div className="detail-columns">
            <section aria-labelledby="transcript-title" className="card">
              <h2 id="transcript-title">Transcript</h2>
              <Transcript messages={messages} />
            </section>
            <div className="detail-side">
              <section aria-labelledby="variables-title" className="card">
                <h2 id="variables-title">Variables</h2>
                <VariablesTable variables={conversation.variables ?? {}} />
              </section>
              <section aria-labelledby="path-title" className="card">
                <h2 id="path-title">Nodes passed</h2>
                <PathList path={conversation.path ?? []} document={version?.document}
                  currentNode={conversation.state === "ended" ? null : conversation.node_id} />
              </section>
            </div>
          </div>
        </>
      )}
    </section>
  );
}
