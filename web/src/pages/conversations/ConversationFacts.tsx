import type { ReactNode } from "react";
import { Link } from "react-router-dom";
import type { Channel, SkillGroup, StaffConversation, User } from "../../api/types";
import { formatDateTime, humanize } from "../../components/format";
import { StatusBadge } from "../../components/StatusBadge";
import { Rating } from "./ConversationTable";

interface ConversationFactsProps {
  conversation: StaffConversation;
  channels: Channel[];
  users: User[];
  groups: SkillGroup[];
  flowName?: string;
}

/** Who, where, which flow, when, and how it ended. */
export function ConversationFacts({ conversation: c, channels, users, groups, flowName }: ConversationFactsProps) {
  const userName = (id: string | null) =>
    id ? users.find((user) => user.id === id)?.display_name ?? id : null;
  const agent = c.agent?.display_name ?? userName(c.agent_id) ?? userName(c.last_agent_id);
  const facts: [string, ReactNode][] = [
    ["State", <StatusBadge status={c.state} />],
    ["Channel", channels.find((channel) => channel.id === c.channel_id)?.name ?? c.channel_id],
    ["Customer", c.customer_name ? `${c.customer_name} (${c.customer_id})` : c.customer_id],
    ["Flow", <Link to={`/flows/${c.flow_id}`}>{flowName ?? c.flow_id} · v{c.flow_version}</Link>],
    ["Started", formatDateTime(c.started_at)],
    ["Ended", formatDateTime(c.ended_at)],
    ["End reason", humanize(c.end_reason)],
    ["Rating", <>
      <Rating value={c.rating} />
      {c.rating_comment && <span> — “{c.rating_comment}”</span>}
    </>],
    ["Agent", agent ?? "—"],
    ["Skill group", c.skill_group_id
      ? groups.find((group) => group.id === c.skill_group_id)?.name ?? c.skill_group_id : "—"],
  ];
  if (c.queue_position !== null) facts.push(["Queue position", String(c.queue_position)]);
  return (
    <dl className="facts">
      {facts.map(([term, value]) => (
        <div key={term}><dt>{term}</dt><dd>{value}</dd></div>
      ))}
    </dl>
  );
}
