import { useAuth } from "../api/auth";
import type { StaffConversation, TranscriptMessage, User } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { ChatPane } from "./ChatPane";
import { ConversationList } from "./ConversationList";
import { CustomerPanel } from "./CustomerPanel";
import { OfferCard } from "./OfferCard";
import { QueuePanel } from "./QueuePanel";
import { lastMessage, offers, served, waitingSince } from "./state";
import { StatusSwitch } from "./StatusSwitch";
import type { Connection } from "./useAgentStream";
import { useNow } from "./useNow";
import { useWorkspace, type Directory } from "./useWorkspace";
import "./workspace.css";

const CONNECTION_TEXT: Record<Connection, string> = {
  connecting: "Connecting…",
  live: "Live",
  reconnecting: "Reconnecting…",
};

function names(directory: Directory | null, conversation: StaffConversation) {
  const channel = directory?.channels.find((c) => c.id === conversation.channel_id);
  const group = directory?.skill_groups.find((g) => g.id === conversation.skill_group_id);
  return { channelName: channel?.name ?? conversation.channel_id, groupName: group?.name ?? "—" };
}

/** Where an agent works: status, offers, my conversations, the queue, and the open chat. */
export function WorkspacePage() {
  const { user } = useAuth();
  if (!user) return null; // the router only shows this page to a signed-in user
  return <Workspace user={user} />;
}

function Workspace({ user }: { user: User }) {
  const ws = useWorkspace(user);
  const now = useNow();
  const { state } = ws;
  const selected = state.selectedId ? state.conversations[state.selectedId] : undefined;
  const offered = offers(state);
  const items = served(state).map((conversation) => ({
    conversation,
    unread: state.unread[conversation.id] ?? 0,
    last: lastMessage(state, conversation.id),
    waitingSince: waitingSince(state, conversation.id),
  }));

  return (
    <section className="workspace">
      <div className="page-head">
        <h1>Workspace</h1>
        <span role="status" className={`connection connection-${ws.connection}`}>
          {CONNECTION_TEXT[ws.connection]}
        </span>
        <span className="spacer" />
        <StatusSwitch status={state.status} onChange={(status) => void ws.setStatus(status)} />
      </div>
      <ErrorBanner error={ws.error} />
      {state.notice && <p className="notice" role="status">{state.notice}</p>}
      <div className="ws-columns">
        <div className="ws-left">
          {offered.length > 0 && (
            <section aria-labelledby="offers-title" className="ws-offers">
              <h2 id="offers-title" className="visually-hidden">Offers</h2>
              {offered.map((conversation) => (
                <OfferCard key={conversation.id} conversation={conversation} now={now}
                  {...names(ws.directory, conversation)}
                  preview={lastCustomerMessage(state.messages[conversation.id])}
                  onAccept={() => void ws.accept(conversation.id)} />
              ))}
            </section>
          )}
          <section aria-labelledby="mine-title" className="ws-section">
            <h2 id="mine-title">My conversations <span className="count">{items.length}</span></h2>
            <ConversationList items={items} selectedId={state.selectedId} now={now} onSelect={ws.select} />
          </section>
          <QueuePanel queues={state.queues} now={now} />
        </div>
        {selected ? (
          <>
            <ChatPane key={selected.id} conversation={selected} messages={state.messages[selected.id]}
              directory={ws.directory} selfId={user.id}
              onSend={(text) => ws.send(selected.id, text)}
              onRequestRating={() => ws.requestRating(selected.id)}
              onTransfer={(target, name) => ws.transfer(selected.id, target, name)}
              onClose={() => ws.close(selected.id)}
              onOpenTransfer={() => void ws.refreshDirectory().catch(() => undefined)} />
            <CustomerPanel conversation={selected} {...names(ws.directory, selected)} />
          </>
        ) : (
          <div className="ws-empty">
            <p>{items.length > 0 ? "Choose a conversation on the left." : state.status === "online"
              ? "You are online. New conversations will be offered here."
              : "Go online to receive conversations."}</p>
          </div>
        )}
      </div>
    </section>
  );
}

function lastCustomerMessage(messages: TranscriptMessage[] | undefined): TranscriptMessage | null {
  if (!messages) return null;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    if (messages[index].sender === "customer") return messages[index];
  }
  return null;
}
