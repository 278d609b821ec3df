import type { StaffConversation, TranscriptMessage } from "../api/types";
import { customerLabel, secondsLeft } from "./state";

interface OfferCardProps {
  conversation: StaffConversation;
  now: number;
  channelName: string;
  groupName: string;
  /** The customer's newest message, so the agent knows what it is about before accepting. */
  preview: TranscriptMessage | null;
  onAccept(): void;
}

/** A conversation offered to me: who, from where, time left to accept, and Accept. */
export function OfferCard({ conversation, now, channelName, groupName, preview, onAccept }: OfferCardProps) {
  const who = customerLabel(conversation);
  // The offer was made when the conversation last changed; the bar shows the share left.
  const total = Math.max(1, secondsLeft(conversation.offer_expires_at, Date.parse(conversation.updated_at)));
  // `now` ticks once a second, so it may lag the offer by up to a second: never show more than
  // the offer's whole time.
  const left = Math.min(total, secondsLeft(conversation.offer_expires_at, now));
  const share = Math.min(100, Math.round((left / total) * 100));
  return (
    <article className={`offer-card${left <= 10 ? " urgent" : ""}`} aria-label={`Offer from ${who}`}>
      <header className="offer-head">
        <span className="offer-title">{who}</span>
        <span className="badge status-offered">New offer</span>
      </header>
      <p className="offer-meta">{channelName} · {groupName}</p>
      {preview && <p className="offer-preview">{preview.text}</p>}
      <div className="countdown">
        <div className="countdown-track" aria-hidden="true">
          <span className="countdown-fill" style={{ width: `${share}%` }} />
        </div>
        <span role="timer" className="countdown-text">{left > 0 ? `Expires in ${left} s` : "Expired"}</span>
      </div>
      <button type="button" className="primary accept" onClick={onAccept} disabled={left === 0}>
        Accept
      </button>
    </article>
  );
}
