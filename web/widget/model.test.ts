import { describe, expect, it } from "vitest";

import { buildPanel, ENDED_STATUS, statusLine, surveyChoices, type BubbleItem } from "./model";
import type { ChatConversation, ChatMessage } from "./types";

let seq = 0;
const at = "2026-01-01T00:00:00Z";
const m = (fields: Partial<ChatMessage>): ChatMessage => {
  seq += 1;
  return { id: `msg_${seq}`, seq, sender: "bot", type: "text", text: "", created_at: at, ...fields };
};
const conv = (fields: Partial<ChatConversation> = {}): ChatConversation => ({
  id: "cnv_1",
  state: "bot",
  queue_position: null,
  agent: null,
  last_seq: 0,
  ...fields,
});
const bubbles = (items: ReturnType<typeof buildPanel>["items"]) => items.filter((i): i is BubbleItem => i.kind === "bubble");

const options = [
  { id: "sales", label: "Sales" },
  { id: "person", label: "Talk to a person" },
];

describe("buildPanel", () => {
  it("puts each sender on its side, agents with their name, system messages as notices", () => {
    const messages = [
      m({ text: "Hi!" }),
      m({ sender: "customer", text: "hello" }),
      m({ sender: "system", type: "notice", text: "Alice joined the conversation" }),
      m({ sender: "agent", text: "How can I help?", agent: { display_name: "Alice", staff_no: "1001" } }),
    ];
    const { items } = buildPanel(messages, conv({ state: "agent" }), [], true);
    expect(items.map((i) => (i.kind === "notice" ? "notice" : i.side))).toEqual(["bot", "customer", "notice", "agent"]);
    expect(bubbles(items).map((b) => b.author)).toEqual([null, null, "Alice"]);
  });

  it("names an agent message by the serving agent when the message does not say", () => {
    const { items } = buildPanel([m({ sender: "agent", text: "Hi" })], conv({ state: "agent", agent: { display_name: "Bob", staff_no: null } }), [], true);
    expect(bubbles(items)[0]?.author).toBe("Bob");
  });

  it("keeps only the latest menu clickable, until one of its buttons answered it", () => {
    const first = m({ type: "menu", text: "Pick", options });
    const answer = m({ sender: "customer", text: "Sales", choice: "sales" });
    const second = m({ type: "menu", text: "Pick again", options });
    const menus = (list: ChatMessage[]) => bubbles(buildPanel(list, conv(), [], true).items).filter((b) => b.menu);
    expect(menus([first, answer, second]).map((b) => b.menu?.active)).toEqual([false, true]);
    // Typed text may not match: the flow's retry text follows and the menu still waits.
    const typed = [first, answer, second, m({ sender: "customer", text: "hmm" }), m({ text: "Sorry, 1 or 2?" })];
    expect(menus(typed).map((b) => b.menu?.active)).toEqual([false, true]);
    const pressed = [...typed, m({ sender: "customer", text: "Sales", choice: "sales" })];
    expect(menus(pressed).map((b) => b.menu?.active)).toEqual([false, false]);
  });

  it("closes a prompt while the customer's message is being sent, and once the chat ended", () => {
    const menu = m({ type: "menu", text: "Pick", options });
    const sending = buildPanel([menu], conv(), [{ clientMsgId: "c1", text: "Sales" }], true);
    expect(bubbles(sending.items)[0]?.menu?.active).toBe(false);
    const ended = buildPanel([menu], conv({ state: "ended" }), [], true);
    expect(bubbles(ended.items)[0]?.menu?.active).toBe(false);
    expect(ended.ended).toBe(true);
  });

  it("offers the survey's scale and shows a star rating as stars", () => {
    const survey = m({ type: "survey", text: "Rate us", scale: "stars5" });
    const open = bubbles(buildPanel([survey], conv(), [], true).items)[0];
    expect(open?.survey).toEqual({ scale: "stars5", active: true });
    const rated = buildPanel([survey, m({ sender: "customer", text: "4", rating: 4 })], conv(), [], true);
    expect(bubbles(rated.items).map((b) => b.text)).toEqual(["Rate us", "★★★★☆"]);
    expect(bubbles(rated.items)[0]?.survey?.active).toBe(false);
  });

  it("shows a levels3 answer by its label", () => {
    const survey = m({ type: "survey", text: "Happy?", scale: "levels3" });
    const rated = buildPanel([survey, m({ sender: "customer", text: "3", rating: 3 })], conv(), [], true);
    expect(bubbles(rated.items)[1]?.text).toBe("Satisfied");
  });

  it("shows a pending message until the stored one with its client_msg_id arrives", () => {
    const pending = [{ clientMsgId: "c1", text: "hello" }];
    const before = buildPanel([m({ text: "Hi" })], conv(), pending, true);
    expect(bubbles(before.items).map((b) => [b.text, b.pending])).toEqual([
      ["Hi", false],
      ["hello", true],
    ]);
    const stored = m({ sender: "customer", text: "hello", client_msg_id: "c1" });
    const after = buildPanel([m({ text: "Hi" }), stored], conv(), pending, true);
    expect(bubbles(after.items).filter((b) => b.text === "hello")).toHaveLength(1);
  });
});

describe("statusLine", () => {
  it("says where the customer stands", () => {
    expect(statusLine(null, true)).toBeNull();
    expect(statusLine(conv(), true)).toBeNull();
    expect(statusLine(conv({ state: "queued", queue_position: 2 }), true)).toBe("You are number 2 in the queue.");
    expect(statusLine(conv({ state: "agent", agent: { display_name: "Alice", staff_no: "1" } }), true)).toBe("You are chatting with Alice.");
    expect(statusLine(conv({ state: "agent" }), false)).toBe("Reconnecting…");
    expect(statusLine(conv({ state: "ended" }), false)).toBe(ENDED_STATUS);
  });
});

describe("surveyChoices", () => {
  it("names stars for screen readers and levels by their words", () => {
    expect(surveyChoices("stars5").map((c) => c.name)).toEqual(["Rate 1 of 5", "Rate 2 of 5", "Rate 3 of 5", "Rate 4 of 5", "Rate 5 of 5"]);
    expect(surveyChoices("levels3").map((c) => [c.rating, c.name])).toEqual([
      [1, "Dissatisfied"],
      [2, "Neutral"],
      [3, "Satisfied"],
    ]);
  });
});
