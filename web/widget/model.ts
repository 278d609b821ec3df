// What the panel shows, computed from the messages and the conversation: a pure function, so the
// rules (who is on which side, which buttons still work, the status line) are tested without a DOM.

import type { ChatConversation, ChatMessage, MenuOption, Pending, Scale } from "./types";

export type Side = "customer" | "bot" | "agent";

export interface BubbleItem {
  kind: "bubble";
  key: string;
  side: Side;
  /** The agent's name above an agent's message; none for the bot or the customer. */
  author: string | null;
  text: string;
  pending: boolean;
  /** A menu's options, clickable while `active`. */
  menu?: { options: MenuOption[]; active: boolean };
  /** A survey's scale, clickable while `active`. */
  survey?: { scale: Scale; active: boolean };
}

export interface NoticeItem {
  kind: "notice";
  key: string;
  text: string;
}

export type Item = BubbleItem | NoticeItem;

export interface PanelModel {
  items: Item[];
  /** One line under the transcript: queue position, who serves, reconnecting, ended. */
  status: string | null;
  ended: boolean;
}

export const LEVELS3 = ["Dissatisfied", "Neutral", "Satisfied"] as const;
export const ENDED_STATUS = "This conversation has ended. Write a message to start a new one.";

/** The survey answers a scale offers, as `{rating, label, name}` (name: the accessible name). */
export function surveyChoices(scale: Scale): { rating: number; label: string; name: string }[] {
  if (scale === "levels3") return LEVELS3.map((label, i) => ({ rating: i + 1, label, name: label }));
  return [1, 2, 3, 4, 5].map((n) => ({ rating: n, label: "★", name: `Rate ${n} of 5` }));
}

function ratingText(rating: number, scale: Scale | undefined): string {
  if (scale === "levels3") return LEVELS3[rating - 1] ?? String(rating);
  if (scale === "stars5" && rating >= 1 && rating <= 5) return "★".repeat(rating) + "☆".repeat(5 - rating);
  return String(rating);
}

export function statusLine(conversation: ChatConversation | null, connected: boolean): string | null {
  if (conversation === null) return null;
  if (conversation.state === "ended") return ENDED_STATUS;
  if (!connected) return "Reconnecting…";
  switch (conversation.state) {
    case "queued":
      return conversation.queue_position
        ? `You are number ${conversation.queue_position} in the queue.`
        : "Waiting for an agent…";
    case "offered":
      return "Connecting you to an agent…";
    case "agent": {
      const name = conversation.agent?.display_name;
      return name ? `You are chatting with ${name}.` : "You are chatting with an agent.";
    }
    default:
      return null;
  }
}

/** The panel's content. `connected`: the live stream is up (else "Reconnecting…"). */
export function buildPanel(
  messages: readonly ChatMessage[],
  conversation: ChatConversation | null,
  pending: readonly Pending[],
  connected: boolean,
): PanelModel {
  const ended = conversation?.state === "ended";
  const lastPrompt = [...messages].reverse().find((m) => m.type === "menu" || m.type === "survey");
  // The latest prompt takes answers until a button answered it (a `choice` or a `rating` after
  // it) or the conversation ends. Typed text does not close it: it may not have matched, and
  // the flow then asks again with a plain retry text while the menu still waits.
  const answered = (prompt: ChatMessage) =>
    messages.some((m) => m.seq > prompt.seq && m.sender === "customer" && (m.choice !== undefined || m.rating !== undefined));
  const promptOpen = (m: ChatMessage) => !ended && m === lastPrompt && pending.length === 0 && !answered(m);
  let scale: Scale | undefined;
  const items: Item[] = [];
  for (const m of messages) {
    const key = `m${m.seq}`;
    if (m.type === "notice" || m.sender === "system") {
      items.push({ kind: "notice", key, text: m.text });
      continue;
    }
    if (m.sender === "customer") {
      const text = m.rating !== undefined ? ratingText(m.rating, scale) : m.text;
      items.push({ kind: "bubble", key, side: "customer", author: null, text, pending: false });
      continue;
    }
    const side: Side = m.sender === "agent" ? "agent" : "bot";
    const author = side === "agent" ? (m.agent?.display_name ?? conversation?.agent?.display_name ?? "Agent") : null;
    const item: BubbleItem = { kind: "bubble", key, side, author, text: m.text, pending: false };
    if (m.type === "menu" && m.options) item.menu = { options: m.options, active: promptOpen(m) };
    if (m.type === "survey") {
      scale = m.scale ?? "stars5";
      item.survey = { scale, active: promptOpen(m) };
    }
    items.push(item);
  }
  const stored = new Set(messages.map((m) => m.client_msg_id).filter(Boolean));
  for (const p of pending) {
    if (stored.has(p.clientMsgId)) continue;
    items.push({ kind: "bubble", key: `p${p.clientMsgId}`, side: "customer", author: null, text: p.text, pending: true });
  }
  return { items, status: statusLine(conversation, connected), ended };
}
