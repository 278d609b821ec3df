import { describe, expect, it } from "vitest";
import { canRedo, canUndo, createHistory, record, redo, reset, undo } from "./history";

describe("history", () => {
  it("undoes and redoes", () => {
    let h = createHistory("a");
    h = record(h, "b");
    h = record(h, "c");
    expect(canRedo(h)).toBe(false);
    h = undo(h);
    expect(h.present).toBe("b");
    h = undo(h);
    expect(h.present).toBe("a");
    expect(canUndo(h)).toBe(false);
    expect(undo(h)).toBe(h);
    h = redo(redo(h));
    expect(h.present).toBe("c");
    expect(redo(h)).toBe(h);
  });

  it("clears redo on a new change", () => {
    let h = record(record(createHistory(1), 2), 3);
    h = undo(h);
    expect(canRedo(h)).toBe(true);
    h = record(h, 4);
    expect(canRedo(h)).toBe(false);
    expect(undo(h).present).toBe(2);
  });

  it("merges consecutive changes with the same key into one step", () => {
    let h = createHistory("");
    for (const text of ["H", "He", "Hel"]) h = record(h, text, "config:n:text");
    h = record(h, "Hel!", "name:n");
    expect(h.past).toEqual(["", "Hel"]);
    expect(undo(h).present).toBe("Hel");
    expect(undo(undo(h)).present).toBe("");
    // After an undo, typing in the same field starts a new step.
    h = record(undo(h), "Hello", "config:n:text");
    expect(h.past).toEqual(["", "Hel"]);
  });

  it("keeps at most `limit` undo steps and ignores no-op changes", () => {
    let h = createHistory(0, 3);
    for (let i = 1; i <= 10; i += 1) h = record(h, i);
    expect(h.past).toEqual([7, 8, 9]);
    expect(record(h, 10)).toBe(h);
    expect(reset(h, 42)).toMatchObject({ past: [], present: 42, future: [], limit: 3 });
  });
});
