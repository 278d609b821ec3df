import { customerLabel, formatDuration, type SkillGroupQueue } from "./state";

interface QueuePanelProps {
  queues: SkillGroupQueue[] | null;
  now: number;
}

/** Read-only: who waits in each of my skill groups' queues, in the order they will be served. */
export function QueuePanel({ queues, now }: QueuePanelProps) {
  return (
    <section aria-labelledby="queue-title" className="ws-section">
      <h2 id="queue-title">Queue</h2>
      {queues === null && <p className="muted small">Loading the queue…</p>}
      {queues !== null && queues.length === 0 && <p className="muted small">You are in no skill group.</p>}
      {queues?.map((group) => {
        const name = group.name || "Skill group";
        return (
          <div key={group.skill_group_id} className="queue-group">
            <h3>
              {name}
              <span className={`badge ${group.queue.length > 0 ? "warn-badge" : "muted-badge"}`}>
                {group.queue.length} waiting
              </span>
            </h3>
            {group.queue.length > 0 && (
              <ol className="queue-list" aria-label={`Queue of ${name}`}>
                {group.queue.map((entry) => (
                  <li key={entry.conversation_id}>
                    <span className="queue-pos" aria-label={`Position ${entry.position}`}>{entry.position}</span>
                    <span className="queue-who">{customerLabel(entry)}</span>
                    {entry.priority < 3 && <span className="badge danger-badge">P{entry.priority}</span>}
                    <span className="queue-wait">
                      {entry.queued_at ? formatDuration(now - Date.parse(entry.queued_at)) : ""}
                    </span>
                  </li>
                ))}
              </ol>
            )}
          </div>
        );
      })}
    </section>
  );
}
