import { useState } from "react";
import { del } from "../api/client";
import type { SkillGroup, SkillGroupList, UserList } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { EmptyState, Loaded, PageHeader } from "../components/PageState";
import { StatusBadge } from "../components/StatusBadge";
import { useApi } from "../components/useApi";
import { SkillGroupDialog } from "./skill-groups/SkillGroupDialog";
import { strategyLabel } from "./skill-groups/strategies";

function Members({ group }: { group: SkillGroup }) {
  if (group.members.length === 0) return <span className="muted">None</span>;
  return (
    <ul className="plain">
      {group.members.map((member) => (
        <li key={member.user_id}>
          {member.display_name} <span className="muted">· priority {member.priority}</span>{" "}
          <StatusBadge status={member.status} />
        </li>
      ))}
    </ul>
  );
}

/** Skill groups: who a transfer reaches, and how they are chosen. */
export function SkillGroupsPage() {
  const groups = useApi<SkillGroupList>("/skill-groups");
  const users = useApi<UserList>("/users");
  const [editing, setEditing] = useState<SkillGroup | "new" | null>(null);

  return (
    <section>
      <PageHeader title="Skill groups">
        <button type="button" className="primary" disabled={!users.data}
          onClick={() => setEditing("new")}>
          New skill group
        </button>
      </PageHeader>
      <Loaded loading={groups.loading || users.loading} error={groups.error ?? users.error}
        what="skill groups">
        {groups.data?.skill_groups.length === 0 ? (
          <EmptyState>No skill groups yet. A transfer in a flow needs one.</EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Strategy</th>
                <th>Reception</th>
                <th>Offer timeout</th>
                <th>Max queue</th>
                <th>Members</th>
                <th><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {groups.data?.skill_groups.map((group) => (
                <tr key={group.id}>
                  <td>{group.name}</td>
                  <td>{strategyLabel(group.strategy)}</td>
                  <td>{group.reception === "auto" ? "Automatic" : "Manual"}</td>
                  <td>{group.offer_timeout_seconds} s</td>
                  <td>{group.max_queue ?? "Unlimited"}</td>
                  <td><Members group={group} /></td>
                  <td>
                    <div className="row-actions">
                      <button type="button" aria-label={`Edit ${group.name}`}
                        onClick={() => setEditing(group)}>
                        Edit
                      </button>
                      <ConfirmButton
                        label="Delete"
                        ariaLabel={`Delete ${group.name}`}
                        title={`Delete skill group “${group.name}”?`}
                        message={<p>Its members stay; flows that transfer to this group will need
                          another one before they can be published again.</p>}
                        onConfirm={async () => {
                          await del(`/skill-groups/${group.id}`);
                          await groups.reload();
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
        <SkillGroupDialog
          group={editing === "new" ? undefined : editing}
          users={users.data?.users ?? []}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            await groups.reload();
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}
