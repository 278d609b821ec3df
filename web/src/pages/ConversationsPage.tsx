import { useSearchParams } from "react-router-dom";
import type { ChannelList, UserList } from "../api/types";
import { ErrorBanner } from "../components/ErrorBanner";
import { EmptyState, Loading, PageHeader } from "../components/PageState";
import { useApi } from "../components/useApi";
import { ConversationFilterBar } from "./conversations/ConversationFilterBar";
import { FILTER_KEYS, fromTime, type Filters } from "./conversations/conversationFilters";
import { ConversationTable } from "./conversations/ConversationTable";
import { useConversationPages } from "./conversations/useConversationPages";

/** Conversations, newest first, filtered by state, channel, agent and start date. */
export function ConversationsPage() {
  const [params, setParams] = useSearchParams();
  const filters: Filters = {
    state: params.get("state") ?? "",
    channel: params.get("channel") ?? "",
    agent: params.get("agent") ?? "",
    from: params.get("from") ?? "",
  };
  const channels = useApi<ChannelList>("/channels");
  const users = useApi<UserList>("/users");
  const pages = useConversationPages(filters);

  const since = fromTime(filters);
  const shown = pages.items.filter(
    (conversation) => since === null || new Date(conversation.started_at).getTime() >= since,
  );
  const last = pages.items[pages.items.length - 1];
  // Newest first: once the last loaded one started before the date, older pages cannot match.
  const moreCanMatch =
    pages.hasMore && (since === null || !last || new Date(last.started_at).getTime() >= since);

  function applyFilters(next: Filters) {
    const search = new URLSearchParams();
    for (const key of FILTER_KEYS) if (next[key]) search.set(key, next[key]);
    setParams(search, { replace: true });
  }

  return (
    <section>
      <PageHeader title="Conversations" />
      <ConversationFilterBar filters={filters} channels={channels.data?.channels ?? []}
        agents={users.data?.users ?? []} onChange={applyFilters} />
      <ErrorBanner error={channels.error ?? users.error ?? pages.error} />
      {pages.loading && pages.items.length === 0 ? (
        <Loading what="conversations" />
      ) : shown.length === 0 && !pages.error ? (
        <EmptyState>No conversations match these filters.</EmptyState>
      ) : (
        <ConversationTable conversations={shown} channels={channels.data?.channels ?? []} />
      )}
      {moreCanMatch && (
        <div className="more">
          <button type="button" disabled={pages.loading} onClick={() => void pages.loadMore()}>
            {pages.loading ? "Loading…" : "Load older conversations"}
          </button>
        </div>
      )}
    </section>
  );
}
