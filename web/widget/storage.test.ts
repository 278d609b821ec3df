import { describe, expect, it } from "vitest";

import { loadOpen, loadSession, saveOpen, saveSession, type KeyValueStore } from "./storage";

function memoryStore(): KeyValueStore & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
  };
}

const broken: KeyValueStore = {
  getItem: () => {
    throw new Error("blocked");
  },
  setItem: () => {
    throw new Error("full");
  },
  removeItem: () => {
    throw new Error("blocked");
  },
};

describe("the saved conversation", () => {
  it("is kept per channel key", () => {
    const store = memoryStore();
    saveSession(store, "A", { conversationId: "cnv_1", token: "t1" });
    saveSession(store, "B", { conversationId: "cnv_2", token: "t2" });
    expect(loadSession(store, "A")).toEqual({ conversationId: "cnv_1", token: "t1" });
    saveSession(store, "A", null);
    expect(loadSession(store, "A")).toBeNull();
    expect(loadSession(store, "B")?.conversationId).toBe("cnv_2");
  });

  it("ignores garbage and blocked storage", () => {
    const store = memoryStore();
    store.data.set("flowdesk:A", "{not json");
    expect(loadSession(store, "A")).toBeNull();
    store.data.set("flowdesk:A", JSON.stringify({ conversationId: 3 }));
    expect(loadSession(store, "A")).toBeNull();
    expect(loadSession(broken, "A")).toBeNull();
    expect(() => saveSession(broken, "A", { conversationId: "c", token: "t" })).not.toThrow();
    expect(loadOpen(broken, "A")).toBe(false);
    expect(loadSession(null, "A")).toBeNull();
  });

  it("remembers whether the panel was open", () => {
    const store = memoryStore();
    saveOpen(store, "A", true);
    expect(loadOpen(store, "A")).toBe(true);
    saveOpen(store, "A", false);
    expect(loadOpen(store, "A")).toBe(false);
  });
});
