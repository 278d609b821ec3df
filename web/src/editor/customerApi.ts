// The customer side of a test conversation (SPEC §7, "Customer"): calls authorised by the
// conversation's customer token, not by the admin's session, exactly as a real customer's are.

import { ApiError, post, type ApiErrorBody } from "../api/client";
import type { Conversation, FlowDocument, Message } from "../api/types";

/** What `POST /flows/{id}/simulate` answers: the same as a customer's start. */
export interface TestConversation {
  conversation: Conversation;
  customer_token: string;
  messages: Message[];
}

export type CustomerInput = { text: string } | { choice: string } | { rating: number };

/** Start a test conversation on the given (unsaved) document, as the admin. */
export function startTestConversation(flowId: string, document: FlowDocument): Promise<TestConversation> {
  return post<TestConversation>(`/flows/${encodeURIComponent(flowId)}/simulate`, { document });
}

async function asCustomer<T>(token: string, method: string, path: string, body?: unknown): Promise<T> {
  const response = await fetch(`/api/v1${path}`, {
    method,
    credentials: "omit",
    headers: {
      accept: "application/json",
      authorization: `Bearer ${token}`,
      ...(body === undefined ? {} : { "content-type": "application/json" }),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data: unknown = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = (data as { error?: ApiErrorBody }).error ?? { code: "http_error", message: `${response.status} ${response.statusText}` };
    throw new ApiError(response.status, error);
  }
  return data as T;
}

const conversationPath = (id: string) => `/conversations/${encodeURIComponent(id)}`;

export function sendAsCustomer(id: string, token: string, input: CustomerInput): Promise<{ messages: Message[] }> {
  return asCustomer(token, "POST", `${conversationPath(id)}/messages`, input);
}

export function messagesAfter(id: string, token: string, afterSeq: number): Promise<{ messages: Message[] }> {
  return asCustomer(token, "GET", `${conversationPath(id)}/messages?after_seq=${afterSeq}`);
}

export function conversationAsCustomer(id: string, token: string): Promise<Conversation> {
  return asCustomer(token, "GET", conversationPath(id));
}

export function closeAsCustomer(id: string, token: string): Promise<unknown> {
  return asCustomer(token, "POST", `${conversationPath(id)}/close`, {});
}

/** Add messages to a list by `seq`, each once, in order. */
export function mergeMessages(list: readonly Message[], more: readonly Message[]): Message[] {
  const bySeq = new Map(list.map((m) => [m.seq, m]));
  for (const m of more) bySeq.set(m.seq, m);
  return [...bySeq.values()].sort((a, b) => a.seq - b.seq);
}
