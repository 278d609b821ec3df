import type { StaffConversation } from "../api/types";
import { formatDateTime } from "../components/format";
import { VariablesTable } from "../pages/conversations/VariablesTable";

interface CustomerPanelProps {
  conversation: StaffConversation;
  channelName: string;
  groupName: string;
}

/** Who the customer is, where they came from, and what the flow collected from them. */
export function CustomerPanel({ conversation, channelName, groupName }: CustomerPanelProps) {
  return (
    <aside aria-labelledby="customer-title" className="card ws-customer">
      <h2 id="customer-title">Customer</h2>
      <dl className="facts ws-facts">
        <div><dt>Name</dt><dd>{conversation.customer_name || "—"}</dd></div>
        <div><dt>Customer id</dt><dd><code>{conversation.customer_id}</code></dd></div>
        <div><dt>Channel</dt><dd>{channelName}</dd></div>
        <div><dt>Skill group</dt><dd>{groupName}</dd></div>
        <div><dt>Started</dt><dd>{formatDateTime(conversation.started_at)}</dd></div>
        <div><dt>Conversation</dt><dd><code>{conversation.id}</code></dd></div>
      </dl>
      <h3 id="variables-title">Variables</h3>
      <VariablesTable variables={conversation.variables ?? {}} />
    </aside>
  );
}
