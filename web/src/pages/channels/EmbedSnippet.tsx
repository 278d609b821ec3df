import { useEffect, useRef, useState } from "react";
import { Field } from "../../components/Field";

/** The web widget's <script> tag, to copy into a site's pages. */
export function EmbedSnippet({ snippet }: { snippet: string }) {
  const area = useRef<HTMLTextAreaElement>(null);
  const [status, setStatus] = useState<"" | "copied" | "manual">("");

  useEffect(() => {
    if (status !== "copied") return;
    const timer = setTimeout(() => setStatus(""), 2500);
    return () => clearTimeout(timer);
  }, [status]);

  async function copy() {
    try {
      await navigator.clipboard.writeText(snippet);
      setStatus("copied");
    } catch {
      // No clipboard access (e.g. not a secure context): select it for Ctrl+C instead.
      area.current?.select();
      setStatus("manual");
    }
  }

  return (
    <fieldset>
      <legend>Embed on a site</legend>
      <Field label="Embed snippet" hint="Paste it before </body> on every page that shows the chat.">
        <textarea ref={area} readOnly rows={3} value={snippet} className="code" spellCheck={false}
          onFocus={(e) => e.target.select()} />
      </Field>
      <div className="inline-form">
        <button type="button" onClick={() => void copy()}>Copy snippet</button>
        <span role="status" className={status === "copied" ? "ok-text" : "muted"}>
          {status === "copied" && "Copied"}
          {status === "manual" && "Selected: press Ctrl+C (⌘C) to copy."}
        </span>
      </div>
    </fieldset>
  );
}
