// The live stream of one conversation. It reconnects with backoff from the last `seq` up to
// which the widget holds every message (`resumeSeq`; the server replays what came after), so
// nothing is lost; the transcript drops what it already has by `seq`, so nothing is doubled.

import { Backoff } from "./backoff";
import type { StreamEvent } from "./types";

/** The server closes with this when the token or the page's origin is refused: do not retry. */
export const POLICY_VIOLATION = [1008, 4403];

export interface StreamHandlers {
  url(): string;
  onEvent(event: StreamEvent): void;
  onConnected(connected: boolean): void;
  /** Whether to reconnect after a drop (not once the conversation has ended). */
  wanted(): boolean;
}

export class LiveStream {
  private socket: WebSocket | null = null;
  private timer: ReturnType<typeof setTimeout> | null = null;
  private stopped = false;
  private readonly backoff = new Backoff();

  constructor(private readonly handlers: StreamHandlers) {}

  start(): void {
    this.stopped = false;
    this.open();
  }

  stop(): void {
    this.stopped = true;
    this.clearTimer();
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  }

  /** The browser lost the network: drop the socket now rather than wait for TCP to notice. */
  drop(): void {
    if (this.socket === null) return;
    const socket = this.socket;
    this.socket = null;
    socket.close();
    this.handlers.onConnected(false);
  }

  /** The network is back: reconnect at once instead of waiting out the backoff. */
  resume(): void {
    if (this.stopped || this.socket !== null) return;
    this.clearTimer();
    this.backoff.reset();
    this.open();
  }

  private open(): void {
    if (this.stopped) return;
    let socket: WebSocket;
    try {
      socket = new WebSocket(this.handlers.url());
    } catch {
      this.retry();
      return;
    }
    this.socket = socket;
    socket.onopen = () => {
      if (this.socket !== socket) return;
      this.backoff.reset();
      this.handlers.onConnected(true);
    };
    socket.onmessage = (event: MessageEvent) => {
      if (this.socket !== socket || typeof event.data !== "string") return;
      try {
        this.handlers.onEvent(JSON.parse(event.data) as StreamEvent);
      } catch {
        // A malformed frame is dropped; the next reconnect's replay fills any gap.
      }
    };
    socket.onclose = (event: CloseEvent) => {
      if (this.socket !== socket) return; // replaced or stopped on purpose
      this.socket = null;
      this.handlers.onConnected(false);
      if (!POLICY_VIOLATION.includes(event.code)) this.retry();
    };
  }

  private retry(): void {
    if (this.stopped || !this.handlers.wanted()) return;
    this.clearTimer();
    this.timer = setTimeout(() => {
      this.timer = null;
      this.open();
    }, this.backoff.next());
  }

  private clearTimer(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
