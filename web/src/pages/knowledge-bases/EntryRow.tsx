import { useState } from "react";
import { del, patch } from "../../api/client";
import type { KnowledgeEntry, KnowledgeEntryInput } from "../../api/types";
import { ConfirmButton } from "../../components/ConfirmButton";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Switch } from "../../components/Field";
import { formatSimilar, parseSimilar } from "./similar";

interface EntryRowProps {
  baseId: string;
  entry: KnowledgeEntry;
  onChanged(): Promise<void>;
}

/** One Q&A entry: read, or edited in place (question, similar questions, answer, enabled). */
export function EntryRow({ baseId, entry, onChanged }: EntryRowProps) {
  const [editing, setEditing] = useState(false);
  const [draft, setDraft] = useState({ question: "", similar: "", answer: "" });
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const url = `/knowledge-bases/${baseId}/entries/${entry.id}`;

  async function save(changes: Partial<KnowledgeEntryInput>) {
    setBusy(true);
    setError(null);
    try {
      await patch<KnowledgeEntry>(url, changes);
      setEditing(false);
      await onChanged();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  if (editing) {
    return (
      <tr className="kb-editing">
        <td>
          <input type="text" aria-label="Question" required maxLength={500} value={draft.question} data-autofocus
            onChange={(e) => setDraft({ ...draft, question: e.target.value })} />
          <textarea aria-label="Similar questions (one per line)" placeholder="Similar questions, one per line"
            value={draft.similar} onChange={(e) => setDraft({ ...draft, similar: e.target.value })} />
        </td>
        <td>
          <textarea aria-label="Answer" required maxLength={5000} value={draft.answer}
            onChange={(e) => setDraft({ ...draft, answer: e.target.value })} />
          <ErrorBanner error={error} />
        </td>
        <td />
        <td>
          <div className="row-actions">
            <button type="button" onClick={() => setEditing(false)}>Cancel</button>
            <button type="button" className="primary" disabled={busy}
              onClick={() => void save({
                question: draft.question,
                similar_questions: parseSimilar(draft.similar),
                answer: draft.answer,
              })}>
              {busy ? "Saving…" : "Save"}
            </button>
          </div>
        </td>
      </tr>
    );
  }
  return (
    <tr className={entry.enabled ? undefined : "kb-disabled"}>
      <td className="kb-text">
        {entry.question}
        {entry.similar_questions.length > 0 && (
          <ul className="kb-similar" aria-label="Similar questions">
            {entry.similar_questions.map((question) => <li key={question}>{question}</li>)}
          </ul>
        )}
      </td>
      <td className="kb-text">
        {entry.answer}
        <ErrorBanner error={error} />
      </td>
      <td>
        <Switch label="Enabled" ariaLabel={`Enabled: ${entry.question}`} checked={entry.enabled} disabled={busy}
          onChange={(enabled) => void save({ enabled })} />
      </td>
      <td>
        <div className="row-actions">
          <button type="button" aria-label={`Edit ${entry.question}`} onClick={() => {
            setDraft({
              question: entry.question,
              similar: formatSimilar(entry.similar_questions),
              answer: entry.answer,
            });
            setError(null);
            setEditing(true);
          }}>
            Edit
          </button>
          <ConfirmButton
            label="Delete"
            ariaLabel={`Delete ${entry.question}`}
            title="Delete this entry?"
            message={<p>The chatbot stops answering “{entry.question}” at once.</p>}
            onConfirm={async () => {
              await del(url);
              await onChanged();
            }}
          />
        </div>
      </td>
    </tr>
  );
}
