import { useState, type FormEvent } from "react";
import { Dialog, DialogActions } from "../components/Dialog";
import { ErrorBanner } from "../components/ErrorBanner";
import { Field } from "../components/Field";
import { humanize } from "../components/format";
import type { Directory, TransferTarget } from "./useWorkspace";

interface TransferDialogProps {
  directory: Directory | null;
  /** Me: a conversation is not transferred to the agent who has it. */
  selfId: string;
  onTransfer(target: TransferTarget, targetName: string): Promise<void>;
  onClose(): void;
}

/** Pass the conversation to a skill group (routed as usual) or straight to one agent. */
export function TransferDialog({ directory, selfId, onTransfer, onClose }: TransferDialogProps) {
  const [kind, setKind] = useState<"group" | "agent">("group");
  const [target, setTarget] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const agents = (directory?.agents ?? []).filter((agent) => agent.id !== selfId);
  const groups = directory?.skill_groups ?? [];

  async function submit(event: FormEvent) {
    event.preventDefault();
    if (!target) return;
    setBusy(true);
    setError(null);
    try {
      if (kind === "group") {
        const name = groups.find((group) => group.id === target)?.name ?? target;
        await onTransfer({ skill_group_id: target }, name);
      } else {
        const name = agents.find((agent) => agent.id === target)?.display_name ?? target;
        await onTransfer({ agent_id: target }, name);
      }
      onClose();
    } catch (caught) {
      setError(caught); // e.g. 409 agent_unavailable: the dialog stays, saying why
    } finally {
      setBusy(false);
    }
  }

  function choose(next: "group" | "agent") {
    setKind(next);
    setTarget("");
    setError(null);
  }

  return (
    <Dialog title="Transfer conversation" onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        <fieldset className="transfer-kind">
          <legend>Transfer to</legend>
          <label className="inline">
            <input type="radio" name="transfer-kind" checked={kind === "group"} onChange={() => choose("group")} />
            A skill group
          </label>
          <label className="inline">
            <input type="radio" name="transfer-kind" checked={kind === "agent"} onChange={() => choose("agent")} />
            An agent
          </label>
        </fieldset>
        {kind === "group" ? (
          <Field label="Skill group" hint="Routed like a new transfer; you are not offered it again.">
            <select data-autofocus value={target} required onChange={(event) => setTarget(event.target.value)}>
              <option value="">Choose a skill group…</option>
              {groups.map((group) => (
                <option key={group.id} value={group.id}>{group.name}</option>
              ))}
            </select>
          </Field>
        ) : (
          <Field label="Agent" hint="The agent must be online with a free slot.">
            <select data-autofocus value={target} required onChange={(event) => setTarget(event.target.value)}>
              <option value="">Choose an agent…</option>
              {agents.map((agent) => (
                <option key={agent.id} value={agent.id}>{agent.display_name} ({humanize(agent.status)})</option>
              ))}
            </select>
          </Field>
        )}
        <ErrorBanner error={error} />
        <DialogActions>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={!target || busy}>
            {busy ? "Transferring…" : "Transfer"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
