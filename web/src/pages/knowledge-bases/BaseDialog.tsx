import { useState, type FormEvent } from "react";
import { patch, post } from "../../api/client";
import type { KnowledgeBase } from "../../api/types";
import { Dialog, DialogActions } from "../../components/Dialog";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field } from "../../components/Field";

interface BaseDialogProps {
  base?: KnowledgeBase;
  onSaved(base: KnowledgeBase): Promise<void>;
  onClose(): void;
}

/** Create a knowledge base, or rename one. */
export function BaseDialog({ base, onSaved, onClose }: BaseDialogProps) {
  const [name, setName] = useState(base?.name ?? "");
  const [description, setDescription] = useState(base?.description ?? "");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body = { name: name.trim(), description: description.trim() };
    try {
      const saved = base
        ? await patch<KnowledgeBase>(`/knowledge-bases/${base.id}`, body)
        : await post<KnowledgeBase>("/knowledge-bases", body);
      await onSaved(saved);
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog title={base ? `Rename ${base.name}` : "New knowledge base"} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Name">
          <input required maxLength={200} value={name} data-autofocus onChange={(e) => setName(e.target.value)} />
        </Field>
        <Field label="Description" hint="For admins only; customers never see it.">
          <textarea maxLength={2000} rows={2} value={description} onChange={(e) => setDescription(e.target.value)} />
        </Field>
        <ErrorBanner error={error} />
        <DialogActions>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : base ? "Save" : "Create"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
