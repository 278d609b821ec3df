// "Test": run the document on screen as a customer would see it, without publishing. The
// conversation's current node is highlighted on the canvas.

import { useCallback, useEffect, useRef, useState, type FormEvent } from "react";
import { ApiError } from "../api/client";
import type { Conversation, FlowDocument, Message, TranscriptMessage } from "../api/types";
import {
  closeAsCustomer,
  conversationAsCustomer,
  mergeMessages,
  messagesAfter,
  sendAsCustomer,
  startTestConversation,
  type CustomerInput,
} from "./customerApi";
import { problemsFromDetails } from "./problems";

interface SimulatorPanelProps {
  flowId: string;
  /** The document to test (the one on screen, saved or not). */
  getDocument(): FlowDocument;
  /** Where the conversation stands, or null when there is none. */
  onNodeChange(nodeId: string | null): void;
}

interface Session {
  conversation: Conversation;
  token: string;
}

const LEVELS = ["Dissatisfied", "Neutral", "Satisfied"];
const WAITING_FOR_AGENT = new Set(["queued", "offered", "agent"]);

/** A customer's rating as they gave it: stars, or the level's name on a three-level survey. */
function ratingText(message: TranscriptMessage, earlier: readonly Message[]): string | null {
  if (message.sender !== "customer" || typeof message.rating !== "number") return null;
  const survey = [...earlier].reverse().find((m) => m.type === "survey");
  if (survey?.scale === "levels3") return LEVELS[message.rating - 1] ?? String(message.rating);
  return "★".repeat(Math.max(0, Math.min(5, message.rating)));
}

function describe(error: unknown): string {
  if (error instanceof ApiError) {
    // A route the server lacks answers a bare "Not Found" (a missing flow names itself).
    if (error.status === 405 || (error.status === 404 && error.message === "Not Found")) {
      return "This server cannot run tests yet (POST /flows/{id}/simulate is missing).";
    }
    const problems = problemsFromDetails(error.details).filter((p) => p.severity === "error");
    if (problems.length > 0) {
      const more = problems.length > 3 ? ` (and ${problems.length - 3} more in Problems)` : "";
      return `${error.message}: ${problems
        .slice(0, 3)
        .map((p) => p.message)
        .join("; ")}${more}`;
    }
    return error.message;
  }
  return error instanceof Error ? error.message : String(error);
}

export function SimulatorPanel({ flowId, getDocument, onNodeChange }: SimulatorPanelProps) {
  const [session, setSession] = useState<Session | null>(null);
  const [messages, setMessages] = useState<Message[]>([]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [text, setText] = useState("");
  const sessionRef = useRef<Session | null>(null);
  const messagesRef = useRef<Message[]>([]);
  const listRef = useRef<HTMLOListElement>(null);
  sessionRef.current = session;
  messagesRef.current = messages;

  const update = useCallback(
    (conversation: Conversation, token: string) => {
      setSession({ conversation, token });
      onNodeChange(conversation.state === "ended" ? null : conversation.node_id);
    },
    [onNodeChange],
  );

  const start = useCallback(async () => {
    const old = sessionRef.current;
    setBusy(true);
    setError(null);
    setMessages([]);
    setSession(null);
    onNodeChange(null);
    if (old && old.conversation.state !== "ended") void closeAsCustomer(old.conversation.id, old.token).catch(() => undefined);
    try {
      const started = await startTestConversation(flowId, getDocument());
      setMessages(mergeMessages([], started.messages));
      update(started.conversation, started.customer_token);
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  }, [flowId, getDocument, onNodeChange, update]);

  const refresh = useCallback(async () => {
    const current = sessionRef.current;
    if (!current) return;
    const { id } = current.conversation;
    const last = messagesRef.current.at(-1)?.seq ?? 0;
    const [fresh, conversation] = await Promise.all([messagesAfter(id, current.token, last), conversationAsCustomer(id, current.token)]);
    if (sessionRef.current?.conversation.id !== id) return;
    setMessages((list) => mergeMessages(list, fresh.messages));
    update(conversation, current.token);
  }, [update]);

  const send = async (input: CustomerInput) => {
    const current = sessionRef.current;
    if (!current) return;
    setBusy(true);
    setError(null);
    try {
      const replies = await sendAsCustomer(current.conversation.id, current.token, input);
      setMessages((list) => mergeMessages(list, replies.messages));
      await refresh();
      return true;
    } catch (e) {
      setError(describe(e));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const onSubmit = async (event: FormEvent) => {
    event.preventDefault();
    const value = text.trim();
    if (!value) return;
    if (await send({ text: value })) setText("");
  };

  // While a human agent has the conversation, their messages arrive without a customer turn.
  const state = session?.conversation.state;
  useEffect(() => {
    if (!state || !WAITING_FOR_AGENT.has(state)) return;
    const timer = window.setInterval(() => void refresh().catch(() => undefined), 3000);
    return () => window.clearInterval(timer);
  }, [state, refresh]);

  useEffect(() => {
    const list = listRef.current;
    if (list) list.scrollTop = list.scrollHeight;
  }, [messages]);

  // Leaving the panel ends the highlight (the conversation itself simply idles out).
  useEffect(() => () => onNodeChange(null), [onNodeChange]);

  const ended = state === "ended";
  const lastInteractive = [...messages].reverse().find((m) => m.sender !== "customer");

  return (
    <section className="editor-simulator" aria-label="Test conversation">
      <header className="editor-simulator-head">
        <h2>Test</h2>
        <button type="button" onClick={() => void start()} disabled={busy}>
          {session ? "Restart" : "Start"}
        </button>
      </header>
      <p className="muted editor-hint">Runs the flow on screen as it is now (saved or not), as a customer sees it.</p>
      {session && (
        <p className="muted editor-simulator-state" aria-live="polite">
          {ended ? "" : `State: ${state}`}
          {state === "queued" && session.conversation.queue_position != null && ` · position ${session.conversation.queue_position}`}
          {session.conversation.agent && ` · with ${session.conversation.agent.display_name}`}
        </p>
      )}
      <ol className="editor-chat" ref={listRef} aria-label="Messages" aria-live="polite">
        {messages.map((message, index) => (
          <li key={message.seq} className={`editor-bubble editor-from-${message.sender} editor-kind-${message.type}`}>
            {message.text && <div className="editor-bubble-text">{ratingText(message, messages.slice(0, index)) ?? message.text}</div>}
            {message.type === "menu" && message.options && (
              <div className="editor-bubble-options">
                {message.options.map((option) => (
                  <button
                    key={option.id}
                    type="button"
                    disabled={busy || ended || message !== lastInteractive}
                    onClick={() => void send({ choice: option.id })}
                    title={option.description || undefined}
                  >
                    {option.label || option.id}
                  </button>
                ))}
              </div>
            )}
            {message.type === "survey" && (
              <div className="editor-bubble-options editor-rating" role="group" aria-label="Rating">
                {(message.scale === "levels3" ? LEVELS : [1, 2, 3, 4, 5]).map((level, index) => (
                  <button
                    key={index}
                    type="button"
                    disabled={busy || ended || message !== lastInteractive}
                    aria-label={typeof level === "string" ? level : `${level} star${level === 1 ? "" : "s"}`}
                    onClick={() => void send({ rating: index + 1 })}
                  >
                    {typeof level === "string" ? level : "★"}
                  </button>
                ))}
              </div>
            )}
          </li>
        ))}
      </ol>
      {ended && (
        <p className="editor-ended" role="status">
          Conversation ended{session?.conversation.end_reason ? ` (${session.conversation.end_reason.replace(/_/g, " ")})` : ""}.
        </p>
      )}
      {error && (
        <p className="error" role="alert">
          {error}
        </p>
      )}
      <form className="editor-chat-input" onSubmit={(e) => void onSubmit(e)}>
        <label htmlFor="simulator-message" className="editor-visually-hidden">
          Message
        </label>
        <input id="simulator-message" type="text" value={text} placeholder={session ? "Type a message…" : "Start a test first"} disabled={!session || ended} onChange={(e) => setText(e.target.value)} />
        <button type="submit" className="primary" disabled={!session || ended || busy || !text.trim()}>
          Send
        </button>
      </form>
    </section>
  );
}
