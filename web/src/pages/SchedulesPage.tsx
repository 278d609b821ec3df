import { useState } from "react";
import { del } from "../api/client";
import type { Schedule, ScheduleList } from "../api/types";
import { ConfirmButton } from "../components/ConfirmButton";
import { EmptyState, Loaded, PageHeader } from "../components/PageState";
import { useApi } from "../components/useApi";
import { ForceClosedSwitch } from "./schedules/ForceClosedSwitch";
import { weeklySummary } from "./schedules/periods";
import { ScheduleDialog } from "./schedules/ScheduleDialog";

function OpenNow({ schedule }: { schedule: Schedule }) {
  if (schedule.force_closed) return <span className="badge danger-badge">Force closed</span>;
  return schedule.open_now
    ? <span className="badge ok-badge">Open now</span>
    : <span className="badge muted-badge">Closed now</span>;
}

/** Service times: when human service is open, with the emergency switch at hand. */
export function SchedulesPage() {
  const schedules = useApi<ScheduleList>("/schedules");
  const [editing, setEditing] = useState<Schedule | "new" | null>(null);

  return (
    <section>
      <PageHeader title="Schedules">
        <button type="button" className="primary" onClick={() => setEditing("new")}>
          New schedule
        </button>
      </PageHeader>
      <Loaded loading={schedules.loading} error={schedules.error} what="schedules">
        {schedules.data?.schedules.length === 0 ? (
          <EmptyState>No schedules yet. A “service time” step in a flow branches on one.</EmptyState>
        ) : (
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>Now</th>
                <th>Hours</th>
                <th>Time zone</th>
                <th>Emergency</th>
                <th><span className="visually-hidden">Actions</span></th>
              </tr>
            </thead>
            <tbody>
              {schedules.data?.schedules.map((schedule) => (
                <tr key={schedule.id}>
                  <td>{schedule.name}</td>
                  <td><OpenNow schedule={schedule} /></td>
                  <td>
                    {weeklySummary(schedule)}
                    {schedule.overrides.length > 0 && (
                      <div className="muted">
                        {schedule.overrides.length} date override{schedule.overrides.length > 1 ? "s" : ""}
                      </div>
                    )}
                  </td>
                  <td>{schedule.timezone}</td>
                  <td><ForceClosedSwitch schedule={schedule} onChanged={schedules.reload} /></td>
                  <td>
                    <div className="row-actions">
                      <button type="button" aria-label={`Edit ${schedule.name}`}
                        onClick={() => setEditing(schedule)}>
                        Edit
                      </button>
                      <ConfirmButton
                        label="Delete"
                        ariaLabel={`Delete ${schedule.name}`}
                        title={`Delete schedule “${schedule.name}”?`}
                        message={<p>Flows that branch on it will take the “closed” path, and need another
                          schedule before they can be published again.</p>}
                        onConfirm={async () => {
                          await del(`/schedules/${schedule.id}`);
                          await schedules.reload();
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
        <ScheduleDialog
          schedule={editing === "new" ? undefined : editing}
          onClose={() => setEditing(null)}
          onSaved={async () => {
            await schedules.reload();
            setEditing(null);
          }}
        />
      )}
    </section>
  );
}
