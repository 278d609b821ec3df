import { useState } from "react";
import type { User } from "../../api/types";
import { Field } from "../../components/Field";

export interface MemberChoice {
  user_id: string;
  priority: number;
}

interface MemberPickerProps {
  members: MemberChoice[];
  users: User[];
  onChange(members: MemberChoice[]): void;
}

const PRIORITIES = [1, 2, 3, 4, 5];

/** The group's agents, each with a priority from 1 (highest) to 5, picked by name. */
export function MemberPicker({ members, users, onChange }: MemberPickerProps) {
  const [adding, setAdding] = useState("");
  const nameOf = (id: string) => users.find((user) => user.id === id)?.display_name ?? id;
  const available = users.filter((user) => !members.some((member) => member.user_id === user.id));

  function add() {
    if (!adding) return;
    onChange([...members, { user_id: adding, priority: 3 }]);
    setAdding("");
  }

  return (
    <fieldset>
      <legend>Members</legend>
      {members.length === 0 ? (
        <p className="muted">No members: transfers to this group find no agent.</p>
      ) : (
        <ul className="member-list">
          {members.map((member) => (
            <li key={member.user_id}>
              <span className="member-name">{nameOf(member.user_id)}</span>
              <label className="inline">
                Priority
                <select aria-label={`Priority of ${nameOf(member.user_id)}`} value={member.priority}
                  onChange={(e) => onChange(members.map((m) =>
                    m.user_id === member.user_id ? { ...m, priority: Number(e.target.value) } : m))}>
                  {PRIORITIES.map((p) => (
                    <option key={p} value={p}>{p}{p === 1 ? " (highest)" : p === 5 ? " (lowest)" : ""}</option>
                  ))}
                </select>
              </label>
              <button type="button" className="icon" aria-label={`Remove ${nameOf(member.user_id)}`}
                onClick={() => onChange(members.filter((m) => m.user_id !== member.user_id))}>
                ×
              </button>
            </li>
          ))}
        </ul>
      )}
      <div className="inline-form">
        <Field label="Add an agent">
          <select value={adding} onChange={(e) => setAdding(e.target.value)}>
            <option value="">{available.length ? "Choose by name…" : "Everyone is a member"}</option>
            {available.map((user) => (
              <option key={user.id} value={user.id}>
                {user.display_name}{user.staff_no ? ` (${user.staff_no})` : ""}
              </option>
            ))}
          </select>
        </Field>
        <button type="button" disabled={!adding} onClick={add}>Add</button>
      </div>
    </fieldset>
  );
}
