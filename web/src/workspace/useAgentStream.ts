import { useEffect, useRef, useState } from "react";
import { reconnectDelay, streamUrl, type AgentEvent } from "./state";

/** `live` once the socket is open; `reconnecting` after it dropped, until it is open again. */
export type Connection = "connecting" | "live" | "reconnecting";

interface StreamHandlers {
  onEvent(event: AgentEvent): void;
  /** The socket is open (first time or again): a good moment to re-read what has no events. */
  onOpen?(): void;
  /** Several tries in a row failed: perhaps the session ended rather than the network. */
  onFailing?(): void;
}

/** Failed tries in a row before `onFailing` is called (once per run of failures). */
const FAILING_AFTER = 3;

/**
 * The agent stream (`WS /api/v1/agent/stream`), signed in by the session cookie. It resumes after
 * the last event id it saw, so a dropped connection replays exactly what was missed (or, when that
 * is too old, the server sends a fresh snapshot). Reconnects back off with jitter; the browser's
 * `offline` event drops the socket at once (it may otherwise look open until a timeout), `online`
 * retries at once.
 */
export function useAgentStream(handlers: StreamHandlers): Connection {
  const [connection, setConnection] = useState<Connection>("connecting");
  const handlersRef = useRef(handlers);
  handlersRef.current = handlers;

  useEffect(() => {
    let socket: WebSocket | null = null;
    let timer: number | undefined;
    let attempt = 0;
    let lastEventId: number | null = null;
    let stopped = false;

    function connect() {
      window.clearTimeout(timer);
      if (stopped || socket) return;
      const ws = new WebSocket(streamUrl(window.location, lastEventId));
      socket = ws;
      ws.onopen = () => {
        attempt = 0;
        setConnection("live");
        handlersRef.current.onOpen?.();
      };
      ws.onmessage = (message: MessageEvent<string>) => {
        let event: AgentEvent;
        try {
          event = JSON.parse(message.data) as AgentEvent;
        } catch {
          return; // not ours to show; the next event still counts
        }
        lastEventId = event.type === "snapshot" ? event.last_event_id : Math.max(lastEventId ?? 0, event.id);
        handlersRef.current.onEvent(event);
      };
      ws.onclose = () => {
        if (socket !== ws) return;
        socket = null;
        if (stopped) return;
        setConnection("reconnecting");
        timer = window.setTimeout(connect, reconnectDelay(attempt));
        attempt += 1;
        if (attempt === FAILING_AFTER) handlersRef.current.onFailing?.();
      };
    }

    function drop() {
      // The network is gone: close now and show it, rather than wait for the socket to notice.
      const ws = socket;
      socket = null;
      if (ws) {
        ws.onclose = null;
        ws.close();
      }
      window.clearTimeout(timer);
      if (stopped) return;
      setConnection("reconnecting");
      // `online` retries at once; this is the fallback should that event never come.
      timer = window.setTimeout(connect, reconnectDelay(attempt));
      attempt += 1;
    }

    function retryNow() {
      attempt = 0;
      connect();
    }

    connect();
    window.addEventListener("offline", drop);
    window.addEventListener("online", retryNow);
    return () => {
      stopped = true;
      window.removeEventListener("offline", drop);
      window.removeEventListener("online", retryNow);
      window.clearTimeout(timer);
      const ws = socket;
      socket = null;
      if (ws) {
        ws.onclose = null;
        ws.close();
      }
    };
  }, []);

  return connection;
}
