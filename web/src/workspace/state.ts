// The agent workspace's state, as a pure reducer over what the server says: the agent stream's
// events (a snapshot, replayed events, live events), message histories read over HTTP, the queue
// read, and the agent's own choices (which conversation is open). No I/O here, so every rule
// (de-duplication by `seq`, unread counting, offers coming and going) is tested without a browser.

import type { StaffConversation, TranscriptMessage, UserStatus } from "../api/types";

/** One waiting customer (`queue.updated` and `GET /agent/queues` share the shape). */
export interface QueueEntry {
  conversation_id: string;
  position: number;
  priority: number;
  customer_id: string;
  customer_name?: string | null;
  channel_id?: string;
  queued_at: string | null;
}

export interface SkillGroupQueue {
  skill_group_id: string;
  name: string;
  queue: QueueEntry[];
}

/** What `WS /api/v1/agent/stream` sends (api/agent.py, services/desk.py, services/tx.py). */
export type AgentEvent =
  | { type: "snapshot"; last_event_id: number; conversations: StaffConversation[] }
  | { id: number; type: "conversation.offered"; conversation: StaffConversation; deadline?: string }
  | { id: number; type: "conversation.assigned"; conversation: StaffConversation }
  | {
      id: number;
      type: "conversation.updated";
      conversation: StaffConversation;
      withdrawn?: boolean;
    }
  | { id: number; type: "conversation.ended"; conversation: StaffConversation }
  | { id: number; type: "message"; conversation_id: string; message: TranscriptMessage }
  | { id: number; type: "queue.updated"; skill_group_id: string; queue: QueueEntry[] }
  | { id: number; type: "agent.status"; status: UserStatus };

/** How many applied event ids are remembered to refuse a second copy. */
export const RECENT_EVENTS = 500;

export interface WorkspaceState {
  /** The newest event applied: the stream resumes after it. */
  lastEventId: number | null;
  /** The last snapshot's event id: what it reflects is never applied again. */
  snapshotEventId: number | null;
  /** Events applied since the snapshot (the latest `RECENT_EVENTS`), so none applies twice. */
  recentEventIds: number[];
  status: UserStatus;
  /** Offered to me or served by me, by id. */
  conversations: Record<string, StaffConversation>;
  /** Per conversation, ascending by `seq`, each `seq` once. */
  messages: Record<string, TranscriptMessage[]>;
  /** Customer messages that arrived while the conversation was not open. */
  unread: Record<string, number>;
  selectedId: string | null;
  /** The queues of my skill groups; null until first read. */
  queues: SkillGroupQueue[] | null;
  /** A line for the agent after a conversation left the desk (closed, transferred, withdrawn). */
  notice: string | null;
}

export type WorkspaceAction =
  | { kind: "event"; event: AgentEvent }
  | { kind: "history"; conversationId: string; messages: TranscriptMessage[] }
  | { kind: "conversation"; conversation: StaffConversation }
  | { kind: "left"; conversationId: string; notice: string }
  | { kind: "select"; conversationId: string | null }
  | { kind: "queues"; queues: SkillGroupQueue[] }
  | { kind: "status"; status: UserStatus };

export function initialState(status: UserStatus): WorkspaceState {
  return {
    lastEventId: null,
    snapshotEventId: null,
    recentEventIds: [],
    status,
    conversations: {},
    messages: {},
    unread: {},
    selectedId: null,
    queues: null,
    notice: null,
  };
}

/** `existing` and `incoming` merged: ordered by `seq`, each `seq` once (the stored copy wins). */
export function mergeMessages(
  existing: readonly TranscriptMessage[],
  incoming: readonly TranscriptMessage[],
): TranscriptMessage[] {
  const seen = new Set(existing.map((message) => message.seq));
  const added = incoming.filter((message) => {
    if (seen.has(message.seq)) return false;
    seen.add(message.seq);
    return true;
  });
  if (added.length === 0) return existing as TranscriptMessage[];
  return [...existing, ...added].sort((a, b) => a.seq - b.seq);
}

/** The highest `seq` held for a conversation (0 when none): history reads resume after it. */
export function lastSeq(state: WorkspaceState, conversationId: string): number {
  const messages = state.messages[conversationId];
  return messages && messages.length > 0 ? messages[messages.length - 1].seq : 0;
}

function isOnMyDesk(conversation: StaffConversation): boolean {
  return conversation.state === "offered" || conversation.state === "agent";
}

function without<T>(record: Record<string, T>, key: string): Record<string, T> {
  if (!(key in record)) return record;
  const { [key]: _dropped, ...rest } = record;
  return rest;
}

function upsert(state: WorkspaceState, conversation: StaffConversation): WorkspaceState {
  if (!isOnMyDesk(conversation)) return remove(state, conversation.id, null);
  return { ...state, conversations: { ...state.conversations, [conversation.id]: conversation } };
}

function remove(state: WorkspaceState, id: string, notice: string | null): WorkspaceState {
  const known = id in state.conversations;
  return {
    ...state,
    conversations: without(state.conversations, id),
    messages: without(state.messages, id),
    unread: without(state.unread, id),
    selectedId: state.selectedId === id ? null : state.selectedId,
    notice: known && notice ? notice : state.notice,
  };
}

/**
 * How a customer is named in the workspace: their name when the channel knows it, the id a
 * host page gave them, or — for the anonymous ids Flowdesk makes up (`cus_…`) — "Visitor"
 * and the id's last six characters, which is enough to tell two visitors apart.
 */
export function customerLabel(customer: {
  customer_name?: string | null;
  customer_id: string;
}): string {
  if (customer.customer_name) return customer.customer_name;
  if (/^cus_[0-9a-f]{20}$/.test(customer.customer_id)) {
    return `Visitor ${customer.customer_id.slice(-6)}`;
  }
  return customer.customer_id;
}

function addMessage(
  state: WorkspaceState,
  conversationId: string,
  message: TranscriptMessage,
): WorkspaceState {
  const existing = state.messages[conversationId] ?? [];
  const merged = mergeMessages(existing, [message]);
  if (merged === existing) return state; // a duplicate: nothing changes, nothing is unread
  const unseen = message.sender === "customer" && state.selectedId !== conversationId;
  const conversation = state.conversations[conversationId];
  return {
    ...state,
    messages: { ...state.messages, [conversationId]: merged },
    unread: unseen
      ? { ...state.unread, [conversationId]: (state.unread[conversationId] ?? 0) + 1 }
      : state.unread,
    conversations:
      conversation && message.seq > conversation.last_seq
        ? { ...state.conversations, [conversationId]: { ...conversation, last_seq: message.seq } }
        : state.conversations,
  };
}

function applySnapshot(
  state: WorkspaceState,
  event: Extract<AgentEvent, { type: "snapshot" }>,
): WorkspaceState {
  const conversations: Record<string, StaffConversation> = {};
  for (const conversation of event.conversations) {
    if (isOnMyDesk(conversation)) conversations[conversation.id] = conversation;
  }
  const keep = <T,>(record: Record<string, T>) =>
    Object.fromEntries(Object.entries(record).filter(([id]) => id in conversations));
  return {
    ...state,
    lastEventId: event.last_event_id,
    snapshotEventId: event.last_event_id,
    recentEventIds: [],
    conversations,
    messages: keep(state.messages),
    unread: keep(state.unread),
    selectedId: state.selectedId && state.selectedId in conversations ? state.selectedId : null,
  };
}

function applyQueue(
  state: WorkspaceState,
  event: Extract<AgentEvent, { type: "queue.updated" }>,
): WorkspaceState {
  const queues = state.queues ?? [];
  const found = queues.some((group) => group.skill_group_id === event.skill_group_id);
  // A group not read yet has no name here; the page reads the queues again to learn it.
  const next = found
    ? queues.map((group) =>
        group.skill_group_id === event.skill_group_id ? { ...group, queue: event.queue } : group,
      )
    : [...queues, { skill_group_id: event.skill_group_id, name: "", queue: event.queue }];
  return { ...state, queues: next };
}

function applyEvent(state: WorkspaceState, event: AgentEvent): WorkspaceState {
  if (event.type === "snapshot") return applySnapshot(state, event);
  // Each event applies once. With several servers, live events can arrive out of id order
  // (one from this server, one relayed from another): an older id than the newest applied
  // is still new unless the snapshot covered it or it was applied already.
  if (state.snapshotEventId !== null && event.id <= state.snapshotEventId) return state;
  if (state.recentEventIds.includes(event.id)) return state;
  const next: WorkspaceState = {
    ...state,
    lastEventId: Math.max(state.lastEventId ?? event.id, event.id),
    recentEventIds: [...state.recentEventIds.slice(1 - RECENT_EVENTS), event.id],
  };
  switch (event.type) {
    case "conversation.offered":
    case "conversation.assigned":
      return upsert(next, event.conversation);
    case "conversation.updated":
      if (event.withdrawn) {
        return remove(next, event.conversation.id, `The offer of ${customerLabel(event.conversation)} was withdrawn.`);
      }
      return upsert(next, event.conversation);
    case "conversation.ended":
      return remove(next, event.conversation.id, `The conversation with ${customerLabel(event.conversation)} left your desk.`);
    case "message":
      return addMessage(next, event.conversation_id, event.message);
    case "queue.updated":
      return applyQueue(next, event);
    case "agent.status":
      return { ...next, status: event.status };
    default:
      return next; // an event type this console does not know yet
  }
}

export function workspaceReducer(state: WorkspaceState, action: WorkspaceAction): WorkspaceState {
  switch (action.kind) {
    case "event":
      return applyEvent(state, action.event);
    case "history": {
      if (!(action.conversationId in state.conversations)) return state;
      const existing = state.messages[action.conversationId] ?? [];
      const merged = mergeMessages(existing, action.messages);
      if (merged === existing && action.conversationId in state.messages) return state;
      return { ...state, messages: { ...state.messages, [action.conversationId]: merged } };
    }
    case "conversation":
      return upsert(state, action.conversation);
    case "left":
      // The stream may have told us first; the agent's own action still says best what happened.
      return { ...remove(state, action.conversationId, null), notice: action.notice };
    case "select":
      return {
        ...state,
        selectedId: action.conversationId,
        unread: action.conversationId ? without(state.unread, action.conversationId) : state.unread,
        notice: null,
      };
    case "queues":
      return { ...state, queues: action.queues };
    case "status":
      return { ...state, status: action.status };
  }
}

// --------------------------------------------------------------------------- selectors

function byTime(a: string | null | undefined, b: string | null | undefined): number {
  return (a ?? "").localeCompare(b ?? "");
}

/** Offers to me, the one expiring first on top. */
export function offers(state: WorkspaceState): StaffConversation[] {
  return Object.values(state.conversations)
    .filter((conversation) => conversation.state === "offered")
    .sort((a, b) => byTime(a.offer_expires_at, b.offer_expires_at));
}

/** Conversations I serve, the longest-waiting customer first, then oldest first. */
export function served(state: WorkspaceState): StaffConversation[] {
  return Object.values(state.conversations)
    .filter((conversation) => conversation.state === "agent")
    .sort(
      (a, b) =>
        byTime(waitingSince(state, a.id) ?? "~", waitingSince(state, b.id) ?? "~") ||
        byTime(a.started_at, b.started_at),
    );
}

/** The newest message worth a preview line (any sender), if loaded. */
export function lastMessage(state: WorkspaceState, conversationId: string): TranscriptMessage | null {
  const messages = state.messages[conversationId] ?? [];
  return messages.length > 0 ? messages[messages.length - 1] : null;
}

/**
 * Since when the customer has been waiting for an answer: the first of their messages after the
 * last agent message, or null when the agent spoke last (or nobody has yet).
 */
export function waitingSince(state: WorkspaceState, conversationId: string): string | null {
  const messages = state.messages[conversationId] ?? [];
  let since: string | null = null;
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (message.sender === "agent") break;
    if (message.sender === "customer") since = message.created_at;
  }
  return since;
}

// --------------------------------------------------------------------------- time and reconnects

/** Whole seconds left until an ISO deadline (0 once it passed). */
export function secondsLeft(deadline: string | null | undefined, now: number): number {
  if (!deadline) return 0;
  const due = Date.parse(deadline);
  return Number.isNaN(due) ? 0 : Math.max(0, Math.ceil((due - now) / 1000));
}

/** A short duration for people: "8 s", "3 min 05 s", "2 h 04 min". */
export function formatDuration(milliseconds: number): string {
  const seconds = Math.max(0, Math.floor(milliseconds / 1000));
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${String(seconds % 60).padStart(2, "0")} s`;
  return `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, "0")} min`;
}

/** Wait before reconnect attempt `attempt` (0, 1, …): doubling from 0.5–1 s, capped at 15–30 s. */
export function reconnectDelay(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(30_000, 1000 * 2 ** Math.max(0, attempt));
  return Math.round(ceiling * (0.5 + random() / 2)); // jitter: agents do not all return at once
}

/** The agent stream's URL on this origin, resuming after `lastEventId` when there is one. */
export function streamUrl(location: { protocol: string; host: string }, lastEventId: number | null): string {
  const scheme = location.protocol === "https:" ? "wss:" : "ws:";
  const resume = lastEventId !== null ? `?last_event_id=${lastEventId}` : "";
  return `${scheme}//${location.host}/api/v1/agent/stream${resume}`;
}
