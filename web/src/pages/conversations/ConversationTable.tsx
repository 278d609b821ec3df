import { Link, useNavigate } from "react-router-dom";
import type { Channel, StaffConversation } from "../../api/types";
import { formatDateTime, humanize } from "../../components/format";
import { StatusBadge } from "../../components/StatusBadge";

interface ConversationTableProps {
  conversations: StaffConversation[];
  channels: Channel[];
}

export function Rating({ value }: { value: number | null }) {
  if (value === null) return <span className="muted">—</span>;
  return (
    <span className="rating">
      <span aria-hidden="true">{"★".repeat(value)}</span> {value}
    </span>
  );
}

/** One row per conversation; a row (or its start time, for keyboards) opens it. */
export function ConversationTable({ conversations, channels }: ConversationTableProps) {
  const navigate = useNavigate();
  const channelName = (id: string) => channels.find((channel) => channel.id === id)?.name ?? id;

  return (
    <table className="clickable-rows">
      <thead>
        <tr>
          <th>Started</th>
          <th>Channel</th>
          <th>Customer</th>
          <th>State</th>
          <th>End reason</th>
          <th>Rating</th>
        </tr>
      </thead>
      <tbody>
        {conversations.map((conversation) => (
          <tr key={conversation.id} onClick={() => navigate(`/conversations/${conversation.id}`)}>
            <td>
              <Link to={`/conversations/${conversation.id}`}>
                {formatDateTime(conversation.started_at)}
              </Link>
            </td>
            <td>{channelName(conversation.channel_id)}</td>
            <td>
              {conversation.customer_name || conversation.customer_id}
              {conversation.customer_name && (
                <div className="muted small">{conversation.customer_id}</div>
              )}
            </td>
            <td><StatusBadge status={conversation.state} /></td>
            <td>{conversation.end_reason ? humanize(conversation.end_reason) : <span className="muted">—</span>}</td>
            <td><Rating value={conversation.rating} /></td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
