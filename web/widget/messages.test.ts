import { describe, expect, it } from "vitest";

import { highestSeq, mergeMessages, newClientMsgId } from "./messages";
import type { ChatMessage } from "./types";

const msg = (seq: number, text = `m${seq}`): ChatMessage => ({
  id: `msg_${seq}`,
  seq,
  sender: "bot",
  type: "text",
  text,
  created_at: "2026-01-01T00:00:00Z",
});

describe("mergeMessages", () => {
  it("keeps each seq once, in order, whatever order copies arrive in", () => {
    const history = [msg(1), msg(2), msg(3)];
    const replay = [msg(3), msg(4), msg(2), msg(5)];
    const merged = mergeMessages(mergeMessages(history, replay), [msg(4)]);
    expect(merged.map((m) => m.seq)).toEqual([1, 2, 3, 4, 5]);
  });

  it("takes the later copy of a seq", () => {
    expect(mergeMessages([msg(1, "old")], [msg(1, "new")])[0]?.text).toBe("new");
  });

  it("does not change the list it was given", () => {
    const list = [msg(2)];
    mergeMessages(list, [msg(1)]);
    expect(list.map((m) => m.seq)).toEqual([2]);
  });
});

describe("highestSeq", () => {
  it("is 0 for nothing and the largest seq otherwise", () => {
    expect(highestSeq([])).toBe(0);
    expect(highestSeq([msg(3), msg(7), msg(5)])).toBe(7);
  });
});

describe("newClientMsgId", () => {
  it("differs between calls", () => {
    expect(newClientMsgId()).not.toBe(newClientMsgId());
  });
});
