import type { ConversationState } from "../../api/types";

export const STATES: { value: ConversationState; label: string }[] = [
  { value: "bot", label: "With the bot" },
  { value: "queued", label: "Queued" },
  { value: "offered", label: "Offered to an agent" },
  { value: "agent", label: "With an agent" },
  { value: "ended", label: "Ended" },
];

export interface Filters {
  state: string;
  channel: string;
  agent: string;
  /** YYYY-MM-DD, local date; applied in the browser (the API has no date filter). */
  from: string;
}

export const FILTER_KEYS = ["state", "channel", "agent", "from"] as const;

/** The API query for the filters the server applies. */
export function apiQuery(filters: Filters, offset: number, limit: number): string {
  const params = new URLSearchParams({ limit: String(limit), offset: String(offset) });
  if (filters.state) params.set("state", filters.state);
  if (filters.channel) params.set("channel_id", filters.channel);
  if (filters.agent) params.set("agent_id", filters.agent);
  return `/conversations?${params.toString()}`;
}

/** Midnight at the start of the chosen local date, or null with no date chosen. */
export function fromTime(filters: Filters): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(filters.from)) return null;
  const [year, month, day] = filters.from.split("-").map(Number);
  return new Date(year, month - 1, day).getTime();
}
