import { useState, type FormEvent } from "react";
import { patch, post } from "../../api/client";
import type {
  SkillGroup,
  SkillGroupInput,
  SkillGroupReception,
  SkillGroupStrategy,
  User,
} from "../../api/types";
import { Dialog, DialogActions } from "../../components/Dialog";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field } from "../../components/Field";
import { MemberPicker, type MemberChoice } from "./MemberPicker";
import { RECEPTIONS, STRATEGIES } from "./strategies";

interface SkillGroupDialogProps {
  group?: SkillGroup;
  users: User[];
  onSaved(): Promise<void>;
  onClose(): void;
}

/** Create or edit a skill group: how agents are picked, offered and queued, and who is in it. */
export function SkillGroupDialog({ group, users, onSaved, onClose }: SkillGroupDialogProps) {
  const [name, setName] = useState(group?.name ?? "");
  const [strategy, setStrategy] = useState<SkillGroupStrategy>(group?.strategy ?? "longest_idle");
  const [reception, setReception] = useState<SkillGroupReception>(group?.reception ?? "auto");
  const [offerTimeout, setOfferTimeout] = useState(String(group?.offer_timeout_seconds ?? 30));
  const [maxQueue, setMaxQueue] = useState(group?.max_queue == null ? "" : String(group.max_queue));
  const [routingUrl, setRoutingUrl] = useState(group?.routing_url ?? "");
  const [members, setMembers] = useState<MemberChoice[]>(
    group?.members.map(({ user_id, priority }) => ({ user_id, priority })) ?? [],
  );
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const body: SkillGroupInput = {
      name: name.trim(),
      strategy,
      reception,
      offer_timeout_seconds: Number(offerTimeout),
      max_queue: maxQueue.trim() === "" ? null : Number(maxQueue),
      routing_url: routingUrl.trim() === "" ? null : routingUrl.trim(),
      members,
    };
    try {
      if (group) await patch<SkillGroup>(`/skill-groups/${group.id}`, body);
      else await post<SkillGroup>("/skill-groups", body);
      await onSaved();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  const strategyHint = STRATEGIES.find((item) => item.value === strategy)?.hint;
  return (
    <Dialog title={group ? `Edit ${group.name}` : "New skill group"} onClose={onClose} wide>
      <form onSubmit={(event) => void submit(event)}>
        <Field label="Name">
          <input required maxLength={200} value={name} data-autofocus onChange={(e) => setName(e.target.value)} />
        </Field>
        <div className="grid-2">
          <Field label="Routing strategy" hint={strategyHint}>
            <select value={strategy} onChange={(e) => setStrategy(e.target.value as SkillGroupStrategy)}>
              {STRATEGIES.map((item) => <option key={item.value} value={item.value}>{item.label}</option>)}
            </select>
          </Field>
          <Field label="Reception">
            <select value={reception} onChange={(e) => setReception(e.target.value as SkillGroupReception)}>
              {RECEPTIONS.map((item) => <option key={item.value} value={item.value}>{item.label}</option>)}
            </select>
          </Field>
          <Field label="Offer timeout (seconds)" hint="How long an agent has to accept (manual reception), 5 – 3600.">
            <input type="number" required min={5} max={3600} step={1} value={offerTimeout}
              onChange={(e) => setOfferTimeout(e.target.value)} />
          </Field>
          <Field label="Max queue" hint="Customers waiting at most; empty = unlimited, 0 = never queue.">
            <input type="number" min={0} max={100000} step={1} value={maxQueue} placeholder="Unlimited"
              onChange={(e) => setMaxQueue(e.target.value)} />
          </Field>
        </div>
        {strategy === "webhook" && (
          <Field
            label="Routing URL"
            hint={<>Flowdesk POSTs the conversation and the group's agents here (signed like webhooks) and
              reads <code>{'{"agent_id": …}'}</code> or <code>{'{"skill_group_id": …}'}</code>.</>}
          >
            <input type="url" required maxLength={2000} value={routingUrl} placeholder="https://…"
              onChange={(e) => setRoutingUrl(e.target.value)} />
          </Field>
        )}
        <MemberPicker members={members} users={users} onChange={setMembers} />
        <ErrorBanner error={error} />
        <DialogActions>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : group ? "Save changes" : "Create"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
