import { humanize } from "./format";

/** A coloured pill for a state word (`online`, `queued`, `ended`, …). */
export function StatusBadge({ status }: { status: string }) {
  return <span className={`badge status-${status}`}>{humanize(status)}</span>;
}
