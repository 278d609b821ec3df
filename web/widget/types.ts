// The customer API's shapes (SPEC §7), as much of them as the widget reads.

export type Sender = "customer" | "bot" | "agent" | "system";
export type Scale = "stars5" | "levels3";

export interface AgentRef {
  display_name: string | null;
  staff_no: string | null;
}

export interface MenuOption {
  id: string;
  label: string;
  description?: string | null;
}

export interface ChatMessage {
  id: string;
  seq: number;
  sender: Sender;
  type: "text" | "menu" | "survey" | "notice";
  text: string;
  options?: MenuOption[];
  scale?: Scale;
  choice?: string;
  rating?: number;
  client_msg_id?: string;
  agent?: AgentRef;
  created_at: string;
}

export type ConversationState = "bot" | "queued" | "offered" | "agent" | "ended";

export interface ChatConversation {
  id: string;
  state: ConversationState;
  queue_position: number | null;
  agent: AgentRef | null;
  last_seq: number;
}

/** `GET /api/v1/channels/{key}/widget`. */
export interface WidgetConfig {
  title: string;
  color: string;
  offline_text: string;
  available: boolean;
}

/** What the customer sends: typed text, a menu button, or a survey answer. */
export type CustomerInput = { text: string } | { choice: string } | { rating: number };

/** A customer message on its way: shown at once, replaced by the stored one when it arrives. */
export interface Pending {
  clientMsgId: string;
  text: string;
}

/** A stream event (`message` or `conversation.updated`); anything else is ignored. */
export type StreamEvent =
  | { type: "message"; message: ChatMessage }
  | { type: "conversation.updated"; conversation: ChatConversation };
