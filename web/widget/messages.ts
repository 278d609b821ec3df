// The transcript as a list ordered by `seq`, each message once: replies to a POST, the stream's
// replay after a reconnect and the live stream may all carry the same message.

import type { ChatMessage } from "./types";

/** `list` with `more` added: sorted by `seq`, one message per `seq` (the later copy wins). */
export function mergeMessages(list: readonly ChatMessage[], more: readonly ChatMessage[]): ChatMessage[] {
  if (more.length === 0) return list as ChatMessage[];
  const bySeq = new Map<number, ChatMessage>();
  for (const m of list) bySeq.set(m.seq, m);
  for (const m of more) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}

/**
 * Where a stream resumes (`after_seq`): the highest `seq` up to which every message is held (0
 * for none). With several servers a message can arrive before an earlier one that another
 * server relayed; resuming after the highest would skip the earlier one for good, while
 * resuming after the last unbroken one only replays what the merge de-duplicates.
 */
export function resumeSeq(list: readonly ChatMessage[]): number {
  const held = new Set(list.map((m) => m.seq));
  let seq = 0;
  while (held.has(seq + 1)) seq += 1;
  return seq;
}

/** A random id for `client_msg_id`, so a retried POST is stored once. */
export function newClientMsgId(random: () => number = Math.random): string {
  const cryptoApi = (globalThis as { crypto?: Crypto }).crypto;
  if (cryptoApi && typeof cryptoApi.randomUUID === "function") return `w-${cryptoApi.randomUUID()}`;
  let id = "w-";
  for (let i = 0; i < 24; i += 1) id += Math.floor(random() * 36).toString(36);
  return id;
}
