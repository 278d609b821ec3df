import type { StaffConversation, TranscriptMessage } from "../api/types";
import { customerLabel, formatDuration } from "./state";

export interface ConversationItem {
  conversation: StaffConversation;
  unread: number;
  last: TranscriptMessage | null;
  waitingSince: string | null;
}

interface ConversationListProps {
  items: ConversationItem[];
  selectedId: string | null;
  now: number;
  onSelect(conversationId: string): void;
}

const PREFIX: Record<TranscriptMessage["sender"], string> = {
  customer: "",
  bot: "Bot: ",
  agent: "You: ",
  system: "",
};

/** The conversations I serve: who, unread count, last message, how long the customer waits. */
export function ConversationList({ items, selectedId, now, onSelect }: ConversationListProps) {
  if (items.length === 0) return <p className="muted small">No conversations right now.</p>;
  return (
    <ul className="conv-list">
      {items.map(({ conversation, unread, last, waitingSince }) => {
        const who = customerLabel(conversation);
        const selected = conversation.id === selectedId;
        return (
          <li key={conversation.id}>
            <button type="button" className={`conv-item${selected ? " selected" : ""}`}
              aria-current={selected ? "true" : undefined} onClick={() => onSelect(conversation.id)}>
              <span className="conv-top">
                <span className="conv-name">{who}</span>
                {unread > 0 && <span className="unread" aria-label={`${unread} unread`}>{unread}</span>}
              </span>
              <span className="conv-last">{last ? `${PREFIX[last.sender] ?? ""}${last.text}` : "…"}</span>
              <span className={`conv-wait${waitingSince ? " waiting" : ""}`}>
                {waitingSince ? `Waiting ${formatDuration(now - Date.parse(waitingSince))}` : "Answered"}
              </span>
            </button>
          </li>
        );
      })}
    </ul>
  );
}
