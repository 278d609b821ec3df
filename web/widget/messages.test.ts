import { describe, expect, it } from "vitest";

import { mergeMessages, newClientMsgId, resumeSeq } from "./messages";
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

describe("resumeSeq", () => {
  it("is 0 for nothing and the end of the unbroken run from seq 1 otherwise", () => {
    expect(resumeSeq([])).toBe(0);
    expect(resumeSeq([msg(1), msg(2), msg(3)])).toBe(3);
    expect(resumeSeq([msg(3), msg(1), msg(2)])).toBe(3);
  });

  it("stops before a message that another server's later one overtook", () => {
    expect(resumeSeq([msg(1), msg(2), msg(4)])).toBe(2);
    expect(resumeSeq([msg(2), msg(3)])).toBe(0);
  });
});

describe("newClientMsgId", () => {
  it("differs between calls", () => {
    expect(newClientMsgId()).not.toBe(newClientMsgId());
  });
});
