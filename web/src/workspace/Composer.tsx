import { useState, type KeyboardEvent } from "react";

/** The server's limit for one message (services/conversations.py MAX_TEXT). */
const MAX_TEXT = 4000;

interface ComposerProps {
  /** Resolves to whether the message was sent; the text stays when it was not. */
  onSend(text: string): Promise<boolean>;
  disabled?: boolean;
}

/** Where the agent writes: Enter sends, Shift+Enter starts a new line. */
export function Composer({ onSend, disabled = false }: ComposerProps) {
  const [text, setText] = useState("");
  const [busy, setBusy] = useState(false);

  async function send() {
    if (!text.trim() || busy || disabled) return;
    setBusy(true);
    const sent = await onSend(text);
    setBusy(false);
    if (sent) setText("");
  }

  function onKeyDown(event: KeyboardEvent<HTMLTextAreaElement>) {
    // While an input method composes (Chinese, Japanese…), Enter picks a candidate: leave it be.
    if (event.key === "Enter" && !event.shiftKey && !event.nativeEvent.isComposing) {
      event.preventDefault();
      void send();
    }
  }

  return (
    <form className="composer" onSubmit={(event) => { event.preventDefault(); void send(); }}>
      <textarea aria-label="Reply" rows={3} maxLength={MAX_TEXT} value={text} disabled={disabled}
        placeholder={disabled ? "" : "Write a reply… (Enter sends, Shift+Enter for a new line)"}
        onChange={(event) => setText(event.target.value)} onKeyDown={onKeyDown} />
      <button type="submit" className="primary" disabled={disabled || busy || !text.trim()}>
        Send
      </button>
    </form>
  );
}
