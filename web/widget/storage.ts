// The customer's conversation survives a reload: its id and token live in localStorage, one entry
// per channel key. Storage can be missing or full (private windows): then the chat just forgets.

export interface SavedSession {
  conversationId: string;
  token: string;
}

export interface KeyValueStore {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

const sessionKey = (channel: string) => `flowdesk:${channel}`;
const openKey = (channel: string) => `flowdesk:${channel}:open`;

export function loadSession(store: KeyValueStore | null, channel: string): SavedSession | null {
  try {
    const raw = store?.getItem(sessionKey(channel));
    if (!raw) return null;
    const data = JSON.parse(raw) as Partial<SavedSession>;
    if (typeof data.conversationId === "string" && typeof data.token === "string") {
      return { conversationId: data.conversationId, token: data.token };
    }
  } catch {
    // Unreadable or blocked storage: start afresh.
  }
  return null;
}

export function saveSession(store: KeyValueStore | null, channel: string, session: SavedSession | null): void {
  try {
    if (session === null) store?.removeItem(sessionKey(channel));
    else store?.setItem(sessionKey(channel), JSON.stringify(session));
  } catch {
    // Full or blocked storage: the conversation just does not survive a reload.
  }
}

/** Whether the panel was open (so a reload or the next page keeps it open). */
export function loadOpen(store: KeyValueStore | null, channel: string): boolean {
  try {
    return store?.getItem(openKey(channel)) === "1";
  } catch {
    return false;
  }
}

export function saveOpen(store: KeyValueStore | null, channel: string, open: boolean): void {
  try {
    if (open) store?.setItem(openKey(channel), "1");
    else store?.removeItem(openKey(channel));
  } catch {
    // Ignored, as above.
  }
}

/** `window.localStorage`, or null where reading it throws (blocked third-party storage). */
export function browserStore(): KeyValueStore | null {
  try {
    return window.localStorage;
  } catch {
    return null;
  }
}
