import { describe, expect, it } from "vitest";
import type { StaffConversation, TranscriptMessage } from "../api/types";
import {
  customerLabel,
  formatDuration,
  initialState,
  lastMessage,
  mergeMessages,
  offers,
  reconnectDelay,
  secondsLeft,
  served,
  streamUrl,
  waitingSince,
  workspaceReducer,
  type AgentEvent,
  type WorkspaceAction,
  type WorkspaceState,
} from "./state";

function conversation(id: string, fields: Partial<StaffConversation> = {}): StaffConversation {
  return {
    id,
    channel_id: "chn_1",
    customer_id: `cus_${id}`,
    state: "agent",
    flow_id: "flw_1",
    flow_version: 1,
    node_id: "transfer",
    started_at: "2026-05-01T10:00:00Z",
    ended_at: null,
    end_reason: null,
    rating: null,
    queue_position: null,
    agent: { display_name: "Alice", staff_no: null },
    last_seq: 2,
    customer_name: null,
    agent_id: "usr_alice",
    skill_group_id: "sgp_1",
    priority: 3,
    queued_at: null,
    offered_to: null,
    offer_expires_at: null,
    last_agent_id: "usr_alice",
    rating_agent_id: null,
    rating_comment: null,
    updated_at: "2026-05-01T10:00:00Z",
    variables: {},
    path: [],
    ...fields,
  };
}

function message(seq: number, sender: TranscriptMessage["sender"], text = `m${seq}`): TranscriptMessage {
  return {
    id: `msg_${seq}`,
    seq,
    sender,
    type: "text",
    text,
    created_at: `2026-05-01T10:00:${String(seq).padStart(2, "0")}Z`,
  };
}

function run(state: WorkspaceState, ...actions: WorkspaceAction[]): WorkspaceState {
  return actions.reduce(workspaceReducer, state);
}

const ev = (event: AgentEvent): WorkspaceAction => ({ kind: "event", event });
const said = (id: number, conversationId: string, m: TranscriptMessage): WorkspaceAction =>
  ev({ id, type: "message", conversation_id: conversationId, message: m });

describe("snapshot", () => {
  it("replaces the desk and remembers where the stream is", () => {
    const offered = conversation("c2", { state: "offered", agent_id: null, offered_to: "usr_alice" });
    const state = run(
      initialState("online"),
      ev({ type: "snapshot", last_event_id: 41, conversations: [conversation("c1"), offered] }),
    );
    expect(state.lastEventId).toBe(41);
    expect(Object.keys(state.conversations).sort()).toEqual(["c1", "c2"]);
    expect(offers(state).map((c) => c.id)).toEqual(["c2"]);
    expect(served(state).map((c) => c.id)).toEqual(["c1"]);
  });

  it("after a reconnect, drops what left the desk meanwhile and keeps the rest", () => {
    let state = run(
      initialState("online"),
      ev({ type: "snapshot", last_event_id: 1, conversations: [conversation("c1"), conversation("c2")] }),
      { kind: "history", conversationId: "c1", messages: [message(1, "bot"), message(2, "customer")] },
      said(2, "c2", message(3, "customer")),
      { kind: "select", conversationId: "c2" },
    );
    expect(state.unread).toEqual({});
    state = run(state, ev({ type: "snapshot", last_event_id: 9, conversations: [conversation("c1")] }));
    expect(Object.keys(state.conversations)).toEqual(["c1"]);
    expect(state.messages.c1.map((m) => m.seq)).toEqual([1, 2]);
    expect(state.messages.c2).toBeUndefined();
    expect(state.selectedId).toBeNull();
    expect(state.lastEventId).toBe(9);
  });
});

describe("live and replayed events", () => {
  const start = run(initialState("offline"), ev({ type: "snapshot", last_event_id: 10, conversations: [] }));

  it("an offer, accepted, then closed", () => {
    const offered = conversation("c1", {
      state: "offered",
      agent_id: null,
      offered_to: "usr_alice",
      offer_expires_at: "2026-05-01T10:01:00Z",
    });
    let state = run(start, ev({ id: 11, type: "conversation.offered", conversation: offered, deadline: "x" }));
    expect(offers(state).map((c) => c.id)).toEqual(["c1"]);
    state = run(state, ev({ id: 12, type: "conversation.assigned", conversation: conversation("c1") }));
    expect(offers(state)).toEqual([]);
    expect(served(state).map((c) => c.id)).toEqual(["c1"]);
    state = run(state, ev({ id: 13, type: "conversation.ended", conversation: conversation("c1", { state: "bot" }) }));
    expect(state.conversations).toEqual({});
    expect(state.notice).toMatch(/cus_c1/);
    expect(state.lastEventId).toBe(13);
  });

  it("the agent's own action names what happened, even after the stream's event", () => {
    const state = run(
      start,
      ev({ id: 11, type: "conversation.assigned", conversation: conversation("c1") }),
      ev({ id: 12, type: "conversation.ended", conversation: conversation("c1", { state: "bot" }) }),
      { kind: "left", conversationId: "c1", notice: "cus_c1 was transferred to Billing." },
    );
    expect(state.conversations).toEqual({});
    expect(state.notice).toBe("cus_c1 was transferred to Billing.");
  });

  it("a withdrawn offer leaves the desk", () => {
    const offered = conversation("c1", { state: "offered" });
    const state = run(
      start,
      ev({ id: 11, type: "conversation.offered", conversation: offered }),
      ev({ id: 12, type: "conversation.updated", conversation: offered, withdrawn: true }),
    );
    expect(offers(state)).toEqual([]);
    expect(state.notice).toMatch(/withdrawn/);
  });

  it("an older event arriving after a newer one (relayed from another server) still applies", () => {
    const state = run(
      start,
      ev({ id: 12, type: "conversation.assigned", conversation: conversation("c2") }),
      ev({ id: 11, type: "conversation.assigned", conversation: conversation("c1") }),
    );
    expect(served(state).map((c) => c.id).sort()).toEqual(["c1", "c2"]);
    expect(state.lastEventId).toBe(12);
    const again = run(state, ev({ id: 11, type: "conversation.assigned", conversation: conversation("c1") }));
    expect(again).toBe(state);
  });

  it("an event at or below the last id is applied once only", () => {
    const once = run(start, ev({ id: 11, type: "conversation.assigned", conversation: conversation("c1") }), said(12, "c1", message(3, "customer")));
    const again = run(once, said(12, "c1", message(3, "customer")), ev({ id: 5, type: "agent.status", status: "away" }));
    expect(again).toBe(once);
    expect(once.unread).toEqual({ c1: 1 });
  });

  it("status follows agent.status", () => {
    expect(run(start, ev({ id: 11, type: "agent.status", status: "online" })).status).toBe("online");
  });

  it("queue.updated replaces that group's queue and keeps its name", () => {
    const entry = { conversation_id: "q1", position: 1, priority: 3, customer_id: "cus_q1", queued_at: "2026-05-01T10:00:00Z" };
    let state = run(start, { kind: "queues", queues: [{ skill_group_id: "sgp_1", name: "Support", queue: [] }] });
    state = run(state, ev({ id: 11, type: "queue.updated", skill_group_id: "sgp_1", queue: [entry] }));
    expect(state.queues).toEqual([{ skill_group_id: "sgp_1", name: "Support", queue: [entry] }]);
    state = run(state, ev({ id: 12, type: "queue.updated", skill_group_id: "sgp_2", queue: [] }));
    expect(state.queues?.map((q) => q.skill_group_id)).toEqual(["sgp_1", "sgp_2"]);
  });
});

describe("messages", () => {
  const start = run(
    initialState("online"),
    ev({ type: "snapshot", last_event_id: 0, conversations: [conversation("c1"), conversation("c2")] }),
  );

  it("are de-duplicated by seq and kept in seq order, whatever the source", () => {
    const state = run(
      start,
      said(1, "c1", message(4, "customer")),
      { kind: "history", conversationId: "c1", messages: [message(1, "bot"), message(2, "system"), message(3, "agent"), message(4, "customer")] },
      said(2, "c1", message(4, "customer")),
      said(3, "c1", message(5, "customer")),
      { kind: "history", conversationId: "c1", messages: [message(5, "customer")] },
    );
    expect(state.messages.c1.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
    expect(state.conversations.c1.last_seq).toBe(5);
  });

  it("mergeMessages returns the same array when nothing is new", () => {
    const existing = [message(1, "bot"), message(2, "customer")];
    expect(mergeMessages(existing, [message(2, "customer")])).toBe(existing);
    expect(mergeMessages([], [message(2, "bot"), message(1, "bot"), message(2, "bot")]).map((m) => m.seq)).toEqual([1, 2]);
  });

  it("count as unread only from the customer, only while the conversation is not open", () => {
    let state = run(
      start,
      { kind: "select", conversationId: "c2" },
      said(1, "c1", message(3, "customer")),
      said(2, "c1", message(4, "system")),
      said(3, "c1", message(5, "agent")),
      said(4, "c1", message(6, "customer")),
      said(5, "c2", message(3, "customer")),
    );
    expect(state.unread).toEqual({ c1: 2 });
    state = run(state, { kind: "select", conversationId: "c1" });
    expect(state.unread).toEqual({});
  });

  it("a history read counts nothing as unread and ignores conversations not on the desk", () => {
    const state = run(
      start,
      { kind: "history", conversationId: "c1", messages: [message(1, "customer"), message(2, "customer")] },
      { kind: "history", conversationId: "elsewhere", messages: [message(1, "customer")] },
    );
    expect(state.unread).toEqual({});
    expect(state.messages.elsewhere).toBeUndefined();
  });

  it("waiting time runs from the first unanswered customer message", () => {
    let state = run(start, { kind: "history", conversationId: "c1", messages: [message(1, "bot"), message(2, "customer")] });
    expect(waitingSince(state, "c1")).toBe(message(2, "customer").created_at);
    state = run(state, said(1, "c1", message(3, "agent", "Hello")));
    expect(waitingSince(state, "c1")).toBeNull();
    expect(lastMessage(state, "c1")?.text).toBe("Hello");
    state = run(state, said(2, "c1", message(4, "customer")), said(3, "c1", message(5, "system")), said(4, "c1", message(6, "customer")));
    expect(waitingSince(state, "c1")).toBe(message(4, "customer").created_at);
    // The customer waiting longest comes first among served conversations.
    state = run(state, { kind: "history", conversationId: "c2", messages: [message(1, "customer")] });
    expect(served(state).map((c) => c.id)).toEqual(["c2", "c1"]);
  });
});

describe("time and reconnects", () => {
  it("counts down whole seconds to a deadline", () => {
    const now = Date.parse("2026-05-01T10:00:00Z");
    expect(secondsLeft("2026-05-01T10:00:30Z", now)).toBe(30);
    expect(secondsLeft("2026-05-01T10:00:29.2Z", now)).toBe(30);
    expect(secondsLeft("2026-05-01T09:59:00Z", now)).toBe(0);
    expect(secondsLeft(null, now)).toBe(0);
  });

  it("formats durations for people", () => {
    expect(formatDuration(8_400)).toBe("8 s");
    expect(formatDuration(185_000)).toBe("3 min 05 s");
    expect(formatDuration(2 * 3600_000 + 4 * 60_000)).toBe("2 h 04 min");
    expect(formatDuration(-5)).toBe("0 s");
  });

  it("backs off exponentially with jitter, up to 30 s", () => {
    expect(reconnectDelay(0, () => 0)).toBe(500);
    expect(reconnectDelay(0, () => 1)).toBe(1000);
    expect(reconnectDelay(3, () => 1)).toBe(8000);
    expect(reconnectDelay(20, () => 1)).toBe(30_000);
    expect(reconnectDelay(20, () => 0)).toBe(15_000);
  });

  it("resumes the stream after the last event id", () => {
    expect(streamUrl({ protocol: "http:", host: "desk.example:8000" }, null)).toBe(
      "ws://desk.example:8000/api/v1/agent/stream",
    );
    expect(streamUrl({ protocol: "https:", host: "desk.example" }, 42)).toBe(
      "wss://desk.example/api/v1/agent/stream?last_event_id=42",
    );
  });
});

describe("customerLabel", () => {
  it("prefers the name, then a host page's id, and shortens ids Flowdesk made up", () => {
    expect(customerLabel({ customer_name: "Grace Hopper", customer_id: "u-1" })).toBe("Grace Hopper");
    expect(customerLabel({ customer_name: null, customer_id: "shop-user-42" })).toBe("shop-user-42");
    expect(customerLabel({ customer_id: "cus_a0c44cbe6cfd8770f429" })).toBe("Visitor 70f429");
  });
});
