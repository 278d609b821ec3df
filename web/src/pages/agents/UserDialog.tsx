import { useState, type FormEvent } from "react";
import { patch, post } from "../../api/client";
import type { Role, User, UserCreate, UserPatch } from "../../api/types";
import { Dialog, DialogActions } from "../../components/Dialog";
import { ErrorBanner } from "../../components/ErrorBanner";
import { Field } from "../../components/Field";

interface UserDialogProps {
  /** The account to edit; none to create one. */
  user?: User;
  onSaved(): Promise<void>;
  onClose(): void;
}

const MIN_PASSWORD = 8;

/** Create a staff account, or edit one (email stays; a new password is optional). */
export function UserDialog({ user, onSaved, onClose }: UserDialogProps) {
  const [email, setEmail] = useState("");
  const [password, setPassword] = useState("");
  const [displayName, setDisplayName] = useState(user?.display_name ?? "");
  const [staffNo, setStaffNo] = useState(user?.staff_no ?? "");
  const [role, setRole] = useState<Role>(user?.role ?? "agent");
  const [maxConcurrent, setMaxConcurrent] = useState(String(user?.max_concurrent ?? 5));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);

  async function submit(event: FormEvent) {
    event.preventDefault();
    setBusy(true);
    setError(null);
    const common = {
      display_name: displayName.trim(),
      staff_no: staffNo.trim() || null,
      role,
      max_concurrent: Number(maxConcurrent),
    };
    try {
      if (user) {
        const body: UserPatch = password ? { ...common, password } : common;
        await patch<User>(`/users/${user.id}`, body);
      } else {
        const body: UserCreate = { ...common, email: email.trim(), password };
        await post<User>("/users", body);
      }
      await onSaved();
    } catch (caught) {
      setError(caught);
      setBusy(false);
    }
  }

  return (
    <Dialog title={user ? `Edit ${user.display_name}` : "New agent"} onClose={onClose}>
      <form onSubmit={(event) => void submit(event)}>
        {user ? (
          <p className="muted">Email: {user.email}</p>
        ) : (
          <Field label="Email">
            <input type="email" required maxLength={320} autoComplete="off" value={email} data-autofocus
              onChange={(e) => setEmail(e.target.value)} />
          </Field>
        )}
        <Field label={user ? "New password" : "Password"}
          hint={user ? `Leave empty to keep the current one. At least ${MIN_PASSWORD} characters.`
            : `At least ${MIN_PASSWORD} characters.`}>
          <input type="password" required={!user} minLength={MIN_PASSWORD} maxLength={500}
            autoComplete="new-password" value={password} onChange={(e) => setPassword(e.target.value)} />
        </Field>
        <div className="grid-2">
          <Field label="Display name" hint="The nickname customers see.">
            <input required maxLength={100} value={displayName} data-autofocus={user ? true : undefined}
              onChange={(e) => setDisplayName(e.target.value)} />
          </Field>
          <Field label="Staff no." hint="Employee number (optional).">
            <input maxLength={50} value={staffNo} onChange={(e) => setStaffNo(e.target.value)} />
          </Field>
          <Field label="Role">
            <select value={role} onChange={(e) => setRole(e.target.value as Role)}>
              <option value="agent">Agent</option>
              <option value="admin">Admin</option>
            </select>
          </Field>
          <Field label="Max concurrent chats">
            <input type="number" required min={1} max={100} step={1} value={maxConcurrent}
              onChange={(e) => setMaxConcurrent(e.target.value)} />
          </Field>
        </div>
        <ErrorBanner error={error} />
        <DialogActions>
          <button type="button" onClick={onClose}>Cancel</button>
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Saving…" : user ? "Save changes" : "Create"}
          </button>
        </DialogActions>
      </form>
    </Dialog>
  );
}
