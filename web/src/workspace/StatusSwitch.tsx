import type { UserStatus } from "../api/types";

const STATUSES: [UserStatus, string][] = [
  ["online", "Online"],
  ["away", "Away"],
  ["offline", "Offline"],
];

interface StatusSwitchProps {
  status: UserStatus;
  onChange(status: UserStatus): void;
}

/** Online / Away / Offline as one segmented control (radio buttons underneath). */
export function StatusSwitch({ status, onChange }: StatusSwitchProps) {
  return (
    <fieldset className="status-switch">
      <legend className="visually-hidden">My status</legend>
      {STATUSES.map(([value, label]) => (
        <label key={value} className={`status-option status-${value}${status === value ? " checked" : ""}`}>
          <input type="radio" name="agent-status" value={value} checked={status === value}
            onChange={() => onChange(value)} />
          <span className="status-dot" aria-hidden="true" />
          {label}
        </label>
      ))}
    </fieldset>
  );
}
