// The widget's behaviour: open → start or resume the conversation → stream it live; send with a
// `client_msg_id` and retry; after the conversation ends, the next message starts a new one.

import { ApiError, CustomerApi, type Started } from "./api";
import { Backoff } from "./backoff";
import { mergeMessages, newClientMsgId, resumeSeq } from "./messages";
import { buildPanel } from "./model";
import { browserStore, loadOpen, loadSession, saveOpen, saveSession, type SavedSession } from "./storage";
import { LiveStream } from "./stream";
import type { ChatConversation, ChatMessage, CustomerInput, Pending, StreamEvent, WidgetConfig } from "./types";
import { WidgetView } from "./view";

/** Errors that mean "no chat here" rather than "try again". */
const UNAVAILABLE_CODES = new Set(["channel_has_no_flow", "channel_disabled", "origin_not_allowed", "not_found"]);

export class Widget {
  private readonly view: WidgetView;
  private readonly store = browserStore();
  private config: WidgetConfig | null = null;
  private session: SavedSession | null = null;
  private conversation: ChatConversation | null = null;
  private messages: ChatMessage[] = [];
  private pending: Pending[] = [];
  private connected = true;
  /** Why the last message could not be sent (shown until the next one goes through). */
  private problem: string | null = null;
  private stream: LiveStream | null = null;
  private starting: Promise<boolean> | null = null;
  /** Retries sleeping until their next attempt; the browser coming online wakes them. */
  private readonly waiting: (() => void)[] = [];
  /** Sends go out one at a time, in the order the customer wrote them. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    private readonly api: CustomerApi,
    private readonly channel: string,
  ) {
    this.view = new WidgetView({
      toggle: (open) => this.setOpen(open),
      send: (input, shownAs) => this.send(input, shownAs),
    });
    window.addEventListener("offline", () => this.stream?.drop());
    window.addEventListener("online", () => {
      this.stream?.resume();
      // Sends waiting out a backoff go now.
      for (const wake of this.waiting.splice(0)) wake();
    });
  }

  mount(parent: HTMLElement): void {
    parent.append(this.view.host);
    this.view.configure("", "");
    void this.loadConfig();
  }

  private async loadConfig(): Promise<void> {
    try {
      this.config = await this.api.config(this.channel);
    } catch {
      this.config = { title: "Chat", color: "", offline_text: "", available: false };
    }
    this.view.configure(this.config.title, this.config.color);
    if (!this.config.available) this.view.showOffline(this.config.offline_text);
    this.view.reveal();
    if (loadOpen(this.store, this.channel)) this.setOpen(true);
  }

  private setOpen(open: boolean): void {
    saveOpen(this.store, this.channel, open);
    this.view.setOpen(open);
    if (open && this.config?.available) void this.ensureConversation();
  }

  private unavailable(): void {
    this.stream?.stop();
    this.view.showOffline(this.config?.offline_text ?? "");
  }

  private render(): void {
    const model = buildPanel(this.messages, this.conversation, this.pending, this.connected);
    this.view.render(this.problem ? { ...model, status: this.problem } : model);
  }

  /** Resume the saved conversation, or start one (the first time the panel opens). */
  private ensureConversation(): Promise<boolean> {
    if (this.session !== null && this.stream !== null) return Promise.resolve(true);
    this.starting ??= this.resumeOrStart().finally(() => {
      this.starting = null;
    });
    return this.starting;
  }

  private async resumeOrStart(): Promise<boolean> {
    const saved = loadSession(this.store, this.channel);
    if (saved !== null) {
      try {
        const { messages } = await this.api.messagesAfter(saved.conversationId, saved.token, 0);
        this.adopt(saved, messages, null);
        return true;
      } catch (error) {
        if (error instanceof ApiError && error.transient) {
          // The server is unreachable for now; the stream's reconnects will bring it back.
          this.adopt(saved, [], null);
          return true;
        }
        saveSession(this.store, this.channel, null); // expired or foreign token: start afresh
      }
    }
    return this.start(null);
  }

  /** Start a conversation; `token` of an ended one keeps the same customer (SPEC §5.6). */
  private async start(token: string | null): Promise<boolean> {
    let started: Started;
    try {
      started = await this.api.start(this.channel, token);
    } catch (error) {
      if (error instanceof ApiError && (UNAVAILABLE_CODES.has(error.code) || error.status === 403)) {
        this.unavailable();
      } else {
        this.view.render({ items: [{ kind: "notice", key: "error", text: "We could not connect. Please try again." }], status: null, ended: false });
      }
      return false;
    }
    const session = { conversationId: started.conversation.id, token: started.customer_token };
    this.adopt(session, started.messages, started.conversation);
    return true;
  }

  /** Make `session` the current conversation, show `messages`, and stream what follows. */
  private adopt(session: SavedSession, messages: ChatMessage[], conversation: ChatConversation | null): void {
    this.stream?.stop();
    this.session = session;
    saveSession(this.store, this.channel, session);
    this.messages = mergeMessages([], messages);
    this.conversation = conversation;
    this.connected = true;
    const stream = new LiveStream({
      url: () => this.api.streamUrl(session.conversationId, session.token, resumeSeq(this.messages)),
      onEvent: (event) => this.onEvent(session, event),
      onConnected: (connected) => {
        this.connected = connected;
        this.render();
      },
      wanted: () => this.conversation?.state !== "ended",
    });
    this.stream = stream;
    stream.start();
    this.render();
  }

  private onEvent(session: SavedSession, event: StreamEvent): void {
    if (session !== this.session) return; // a late event of a replaced conversation
    if (event.type === "message") {
      this.messages = mergeMessages(this.messages, [event.message]);
      const id = event.message.client_msg_id;
      if (id) this.pending = this.pending.filter((p) => p.clientMsgId !== id);
    } else if (event.type === "conversation.updated") {
      this.conversation = event.conversation;
    } else {
      return;
    }
    this.render();
  }

  private send(input: CustomerInput, shownAs: string): void {
    const pending: Pending = { clientMsgId: newClientMsgId(), text: shownAs };
    this.pending = [...this.pending, pending];
    this.render();
    this.queue = this.queue.then(() => this.deliver(input, pending));
  }

  /** POST one message, retrying network failures with the same `client_msg_id`. */
  private async deliver(input: CustomerInput, pending: Pending): Promise<void> {
    const backoff = new Backoff();
    let restarted = false;
    for (;;) {
      if (this.session === null && !(await this.ensureConversation())) return this.drop(pending);
      if (this.conversation?.state === "ended" && !restarted) {
        restarted = true;
        if (!(await this.restart())) return this.drop(pending);
      }
      const session = this.session;
      if (session === null) return this.drop(pending);
      try {
        const { messages } = await this.api.send(session.conversationId, session.token, input, pending.clientMsgId);
        if (session === this.session) this.messages = mergeMessages(this.messages, messages);
        this.problem = null;
        // The customer's own message arrives by the stream (matched by client_msg_id); until
        // then the pending bubble stands in for it.
        this.render();
        return;
      } catch (error) {
        if (!(error instanceof ApiError)) return this.drop(pending);
        if (error.code === "conversation_ended" && !restarted) {
          restarted = true;
          if (!(await this.restart())) return this.drop(pending);
          continue;
        }
        if (!error.transient) return this.drop(pending, error.message);
        await this.pause(backoff.next());
      }
    }
  }

  private pause(ms: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        const at = this.waiting.indexOf(wake);
        if (at >= 0) this.waiting.splice(at, 1);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.waiting.push(wake);
    });
  }

  /** The conversation ended: a new one for the same customer, then the message goes there. */
  private async restart(): Promise<boolean> {
    const stored = loadSession(this.store, this.channel);
    if (stored !== null && stored.conversationId !== this.session?.conversationId) {
      // Another tab of this site already started the next conversation: join it.
      try {
        const { messages } = await this.api.messagesAfter(stored.conversationId, stored.token, 0);
        this.adopt(stored, messages, null);
        return true;
      } catch {
        // Fall through and start one ourselves.
      }
    }
    const token = this.session?.token ?? null;
    this.session = null;
    this.stream?.stop();
    this.stream = null;
    return this.start(token);
  }

  private drop(pending: Pending, reason?: string): void {
    this.pending = this.pending.filter((p) => p !== pending);
    this.problem = reason ? `Not sent: ${reason}` : null;
    this.render();
  }
}
