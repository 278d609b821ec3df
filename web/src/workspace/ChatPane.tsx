import { useEffect, useRef, useState } from "react";
import type { StaffConversation, TranscriptMessage } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { Transcript } from "../pages/conversations/Transcript";
import { Composer } from "./Composer";
import { TransferDialog } from "./TransferDialog";
import type { Directory, TransferTarget } from "./useWorkspace";
import { customerLabel } from "./state";

interface ChatPaneProps {
  conversation: StaffConversation;
  messages: TranscriptMessage[] | undefined;
  directory: Directory | null;
  selfId: string;
  onSend(text: string): Promise<boolean>;
  onRequestRating(): Promise<boolean>;
  onTransfer(target: TransferTarget, targetName: string): Promise<void>;
  onClose(): Promise<void>;
  onOpenTransfer(): void;
}

/** One conversation: its whole history (the bot part too), the composer, and the actions. */
export function ChatPane(props: ChatPaneProps) {
  const { conversation, messages, directory, selfId } = props;
  const [transferring, setTransferring] = useState(false);
  const [ratingAsked, setRatingAsked] = useState(false);
  const history = useRef<HTMLDivElement>(null);
  const who = customerLabel(conversation);
  const count = messages?.length ?? 0;

  // Follow the conversation as it grows, as chat apps do, unless the agent scrolled up to read.
  const following = useRef(true);
  useEffect(() => {
    const box = history.current;
    if (box && following.current) box.scrollTop = box.scrollHeight;
  }, [count, conversation.id]);

  return (
    <section className="card chat-pane" aria-labelledby="chat-title">
      <header className="chat-head">
        <h2 id="chat-title" title={who}>{who}</h2>
        <div className="chat-actions">
          <button type="button" disabled={ratingAsked}
            onClick={() => void props.onRequestRating().then((asked) => setRatingAsked(asked))}>
            {ratingAsked ? "Rating asked" : "Ask for rating"}
          </button>
          <button type="button" onClick={() => { props.onOpenTransfer(); setTransferring(true); }}>
            Transfer
          </button>
          <ConfirmButton label="Close" title={`Close the conversation with ${who}?`}
            message={<p>The customer is told you left, and the flow carries on (for example with its survey).</p>}
            confirmLabel="Close conversation" onConfirm={props.onClose} />
        </div>
      </header>
      <div className="chat-history" ref={history} role="log" aria-label={`Conversation with ${who}`}
        onScroll={(event) => {
          const box = event.currentTarget;
          following.current = box.scrollHeight - box.scrollTop - box.clientHeight < 80;
        }}>
        {messages === undefined ? <p className="muted">Loading the conversation…</p> : <Transcript messages={messages} />}
      </div>
      <Composer onSend={props.onSend} />
      {transferring && (
        <TransferDialog directory={directory} selfId={selfId} onTransfer={props.onTransfer}
          onClose={() => setTransferring(false)} />
      )}
    </section>
  );
}
