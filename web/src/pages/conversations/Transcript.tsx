import type { TranscriptMessage } from "../../api/types";
import { formatTime } from "../../components/format";

const SENDERS: Record<TranscriptMessage["sender"], string> = {
  customer: "Customer",
  bot: "Bot",
  agent: "Agent",
  system: "System",
};

const SCALES: Record<string, string> = {
  stars5: "Rating from 1 to 5 stars",
  levels3: "Rating: 1 dissatisfied, 2 neutral, 3 satisfied",
};

function MessageExtras({ message }: { message: TranscriptMessage }) {
  return (
    <>
      {message.type === "menu" && message.options && message.options.length > 0 && (
        <ol className="menu-options" aria-label="Menu options">
          {message.options.map((option) => (
            <li key={option.id}>
              <span className="option-label">{option.label || <em>(no label)</em>}</span>
              {option.description && <span className="muted"> — {option.description}</span>}
              <code className="option-id">{option.id}</code>
            </li>
          ))}
        </ol>
      )}
      {message.type === "survey" && message.scale && (
        <p className="meta">{SCALES[message.scale] ?? message.scale}</p>
      )}
      {message.choice !== undefined && <p className="meta">Menu choice <code>{message.choice}</code></p>}
      {message.rating !== undefined && (
        <p className="meta">
          Rated {message.rating}
          {message.comment ? <>: “{message.comment}”</> : null}
        </p>
      )}
    </>
  );
}

/** The conversation as it happened; who said what is marked on every message. */
export function Transcript({ messages }: { messages: TranscriptMessage[] }) {
  if (messages.length === 0) return <p className="muted">No messages.</p>;
  return (
    <ol className="transcript">
      {messages.map((message) => (
        <li key={message.id} className={`msg from-${message.sender}`}>
          <div className="msg-head">
            <span className={`sender sender-${message.sender}`}>{SENDERS[message.sender] ?? message.sender}</span>
            {message.type !== "text" && <span className="msg-type">{message.type}</span>}
            <time dateTime={message.created_at}>{formatTime(message.created_at)}</time>
            <span className="muted small">#{message.seq}</span>
          </div>
          {message.text && <p className="msg-text">{message.text}</p>}
          <MessageExtras message={message} />
        </li>
      ))}
    </ol>
  );
}
