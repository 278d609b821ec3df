import { describe, expect, it } from "vitest";
import type { Message } from "../api/types";
import { mergeMessages } from "./customerApi";

const m = (seq: number, text = `m${seq}`): Message => ({ id: `id${seq}`, seq, sender: "bot", type: "text", text, created_at: "" });

describe("test conversation messages", () => {
  it("merges by seq, once each, in order", () => {
    expect(mergeMessages([m(1), m(2)], [m(4), m(2, "again"), m(3)]).map((x) => [x.seq, x.text])).toEqual([
      [1, "m1"],
      [2, "again"],
      [3, "m3"],
      [4, "m4"],
    ]);
  });
});
