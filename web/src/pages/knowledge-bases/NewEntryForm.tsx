import { useState, type FormEvent } from "react";
import { post } from "../../api/client";
import type { KnowledgeEntry } from "../../api/types";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field } from "../../components/Field";
import { parseSimilar } from "./similar";

interface NewEntryFormProps {
  baseId: string;
  onAdded(): Promise<void>;
  onCancel(): void;
}

/** Add a Q&A entry to the base. */
export function NewEntryForm({ baseId, onAdded, onCancel }: NewEntryFormProps) {
  const [question, setQuestion] = useState("");
  const [similar, setSimilar] = useState("");
  const [answer, setAnswer] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await post<KnowledgeEntry>(`/knowledge-bases/${baseId}/entries`, {
        question,
        similar_questions: parseSimilar(similar),
        answer,
        enabled: true,
      });
      setQuestion("");
      setSimilar("");
      setAnswer("");
      await onAdded();
    } catch (caught) {
      setError(caught);
    } finally {
      setBusy(false);
    }
  }

  return (
    <form className="card kb-add" aria-label="New entry" onSubmit={(event) => void submit(event)}>
      <div className="grid-2">
        <div>
          <Field label="Question">
            <input required maxLength={500} value={question} data-autofocus onChange={(e) => setQuestion(e.target.value)} />
          </Field>
          <Field label="Similar questions" hint="Other ways customers ask it, one per line.">
            <textarea rows={3} value={similar} onChange={(e) => setSimilar(e.target.value)} />
          </Field>
        </div>
        <Field label="Answer">
          <textarea required maxLength={5000} rows={6} value={answer} onChange={(e) => setAnswer(e.target.value)} />
        </Field>
      </div>
      <ErrorBanner error={error} />
      <div className="row-actions">
        <button type="button" onClick={onCancel}>Cancel</button>
        <button type="submit" className="primary" disabled={busy}>{busy ? "Adding…" : "Add entry"}</button>
      </div>
    </form>
  );
}
