// The customer API (SPEC §7) from another site: bearer token, never cookies.

import type { ChatConversation, ChatMessage, CustomerInput, WidgetConfig } from "./types";

/** A failed call: HTTP status (0 when the network failed) and the SPEC §7 error code. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }

  /** Worth retrying as is: the network, a gateway or the server hiccuped. */
  get transient(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500;
  }
}

export interface Started {
  conversation: ChatConversation;
  customer_token: string;
  messages: ChatMessage[];
}

export class CustomerApi {
  constructor(
    /** e.g. `https://desk.example.com` (no trailing slash), from the script's own `src`. */
    readonly base: string,
  ) {}

  private async call<T>(method: string, path: string, token: string | null, body?: unknown): Promise<T> {
    const headers: Record<string, string> = { accept: "application/json" };
    if (token) headers.authorization = `Bearer ${token}`;
    if (body !== undefined) headers["content-type"] = "application/json";
    let response: Response;
    try {
      response = await fetch(`${this.base}/api/v1${path}`, {
        method,
        headers,
        credentials: "omit",
        mode: "cors",
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch {
      throw new ApiError(0, "network_error", "cannot reach the chat server");
    }
    const data = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string } };
    if (!response.ok) {
      throw new ApiError(response.status, data.error?.code ?? "http_error", data.error?.message ?? `HTTP ${response.status}`);
    }
    return data as T;
  }

  config(channel: string): Promise<WidgetConfig> {
    return this.call("GET", `/channels/${encodeURIComponent(channel)}/widget`, null);
  }

  /** Start (201) or resume (200) a conversation; `token` of an earlier one keeps the customer. */
  start(channel: string, token: string | null): Promise<Started> {
    return this.call("POST", `/channels/${encodeURIComponent(channel)}/conversations`, token, {});
  }

  send(conversationId: string, token: string, input: CustomerInput, clientMsgId: string): Promise<{ messages: ChatMessage[] }> {
    return this.call("POST", `/conversations/${encodeURIComponent(conversationId)}/messages`, token, {
      ...input,
      client_msg_id: clientMsgId,
    });
  }

  messagesAfter(conversationId: string, token: string, afterSeq: number): Promise<{ messages: ChatMessage[] }> {
    return this.call("GET", `/conversations/${encodeURIComponent(conversationId)}/messages?after_seq=${afterSeq}`, token);
  }

  streamUrl(conversationId: string, token: string, afterSeq: number): string {
    const url = new URL(`${this.base}/api/v1/conversations/${encodeURIComponent(conversationId)}/stream`);
    url.protocol = url.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("token", token);
    url.searchParams.set("after_seq", String(afterSeq));
    return url.toString();
  }
}
