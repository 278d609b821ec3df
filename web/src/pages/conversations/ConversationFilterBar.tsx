import type { Channel, User } from "../../api/types";
import { Field } from "../../components/Field";
import { STATES, type Filters } from "./conversationFilters";

interface ConversationFilterBarProps {
  filters: Filters;
  channels: Channel[];
  agents: User[];
  onChange(filters: Filters): void;
}

/** State, channel, agent and a "started from" date. */
export function ConversationFilterBar({ filters, channels, agents, onChange }: ConversationFilterBarProps) {
  const set = (key: keyof Filters, value: string) => onChange({ ...filters, [key]: value });
  const active = Object.values(filters).some(Boolean);

  return (
    <form className="filters" role="search" aria-label="Filter conversations"
      onSubmit={(event) => event.preventDefault()}>
      <Field label="State">
        <select value={filters.state} onChange={(e) => set("state", e.target.value)}>
          <option value="">Any state</option>
          {STATES.map((state) => <option key={state.value} value={state.value}>{state.label}</option>)}
        </select>
      </Field>
      <Field label="Channel">
        <select value={filters.channel} onChange={(e) => set("channel", e.target.value)}>
          <option value="">Any channel</option>
          {channels.map((channel) => <option key={channel.id} value={channel.id}>{channel.name}</option>)}
        </select>
      </Field>
      <Field label="Agent">
        <select value={filters.agent} onChange={(e) => set("agent", e.target.value)}>
          <option value="">Any agent</option>
          {agents.map((agent) => <option key={agent.id} value={agent.id}>{agent.display_name}</option>)}
        </select>
      </Field>
      <Field label="Started from">
        <input type="date" value={filters.from} onChange={(e) => set("from", e.target.value)} />
      </Field>
      <button type="button" disabled={!active}
        onClick={() => onChange({ state: "", channel: "", agent: "", from: "" })}>
        Clear filters
      </button>
    </form>
  );
}
