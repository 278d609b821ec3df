// Undo/redo over document snapshots. Documents are immutable, so a snapshot is just a reference.

export interface History<T> {
  past: readonly T[];
  present: T;
  future: readonly T[];
  /** What the last change was (e.g. "config:menu:text"); a repeat of it merges into one step. */
  lastKey: string | null;
  /** The most undo steps kept. */
  limit: number;
}

export function createHistory<T>(present: T, limit = 100): History<T> {
  return { past: [], present, future: [], lastKey: null, limit: Math.max(1, limit) };
}

/**
 * Record a change. A new change clears the redo list. Consecutive changes with the same `key`
 * (typing in one field) become one undo step; changes without a key are always separate steps.
 */
export function record<T>(history: History<T>, next: T, key: string | null = null): History<T> {
  if (next === history.present) return history;
  if (key !== null && key === history.lastKey) {
    return { ...history, present: next, future: [] };
  }
  const past = [...history.past, history.present];
  if (past.length > history.limit) past.splice(0, past.length - history.limit);
  return { ...history, past, present: next, future: [], lastKey: key };
}

export function canUndo<T>(history: History<T>): boolean {
  return history.past.length > 0;
}

export function canRedo<T>(history: History<T>): boolean {
  return history.future.length > 0;
}

export function undo<T>(history: History<T>): History<T> {
  if (history.past.length === 0) return history;
  const previous = history.past[history.past.length - 1];
  return {
    ...history,
    past: history.past.slice(0, -1),
    present: previous,
    future: [history.present, ...history.future],
    lastKey: null,
  };
}

export function redo<T>(history: History<T>): History<T> {
  if (history.future.length === 0) return history;
  const [next, ...rest] = history.future;
  return { ...history, past: [...history.past, history.present], present: next, future: rest, lastKey: null };
}

/** Start over from `present` (after loading or reloading from the server). */
export function reset<T>(history: History<T>, present: T): History<T> {
  return createHistory(present, history.limit);
}
