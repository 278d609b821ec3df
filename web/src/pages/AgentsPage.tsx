import { useState } from "react";
import { del } from "../api/client";
import { useAuth } from "../api/auth";
import type { User, UserList } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { EmptyState, Loaded, PageHeader } from "../components/PageState";
import { StatusBadge } from "../components/StatusBadge";
import { useApi } from "../components/useApi";
import { UserDialog } from "./agents/UserDialog";

/** Staff accounts: admins and agents, with their capacity and presence. */
export function AgentsPage() {
  const users = useApi<UserList>("/users");
  const { user: me } = useAuth();
  const [editing, setEditing] = useState<User | "new" | null>(null);

  return (
    <section>
      <PageHeader title="Agents">
        <button type="button" className="primary" onClick={() => setEditing("new")}>
          New agent
        </button>
      </PageHeader>
      <Loaded loading={users.loading} error={users.error} what="agents">
        {users.data?.users.length === 0 ? (
          <EmptyState>No accounts.</EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Display name</th>
                <th>Email</th>
                <th>Role</th>
                <th>Staff no.</th>
                <th>Max concurrent</th>
                <th>Status</th>
                <th><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {users.data?.users.map((user) => (
                <tr key={user.id}>
                  <td>{user.display_name}{user.id === me?.id && <span className="muted"> (you)</span>}</td>
                  <td>{user.email}</td>
                  <td>{user.role === "admin" ? "Admin" : "Agent"}</td>
                  <td>{user.staff_no || <span className="muted">—</span>}</td>
                  <td>{user.max_concurrent}</td>
                  <td><StatusBadge status={user.status} /></td>
                  <td>
                    <div className="row-actions">
                      <button type="button" aria-label={`Edit ${user.display_name}`}
                        onClick={() => setEditing(user)}>
                        Edit
                      </button>
                      <ConfirmButton
                        label="Delete"
                        ariaLabel={`Delete ${user.display_name}`}
                        title={`Delete ${user.display_name}?`}
                        message={<p>{user.email} will no longer be able to sign in, and leaves every
                          skill group.</p>}
                        onConfirm={async () => {
                          await del(`/users/${user.id}`);
                          await users.reload();
                        }}
                      />
                    </div>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Loaded>
      {editing !== null && (
        <UserDialog
          user={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            await users.reload();
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}
