import { useCallback, useEffect, useState } from "react";
import { get } from "../../api/client";
import type { ConversationList, StaffConversation } from "../../api/types";
import { apiQuery, type Filters } from "./conversationFilters";

const PAGE = 50;

/** Conversations matching the server-side filters, newest first, a page at a time. */
export function useConversationPages(filters: Filters) {
  const [items, setItems] = useState<StaffConversation[]>([]);
  const [hasMore, setHasMore] = useState(false);
  const [loading, setLoading] = useState(true);
  const [error, setError] = useState<unknown>(null);
  const { state, channel, agent } = filters;

  const load = useCallback(
    async (offset: number, isCurrent: () => boolean) => {
      setLoading(true);
      try {
        const page = await get<ConversationList>(
          apiQuery({ state, channel, agent, from: "" }, offset, PAGE),
        );
        if (!isCurrent()) return;
        setItems((previous) => (offset === 0 ? page.conversations : [...previous, ...page.conversations]));
        setHasMore(page.conversations.length === PAGE);
        setError(null);
      } catch (caught) {
        if (isCurrent()) setError(caught);
      } finally {
        if (isCurrent()) setLoading(false);
      }
    },
    [state, channel, agent],
  );

  useEffect(() => {
    let current = true;
    setItems([]);
    void load(0, () => current);
    return () => {
      current = false;
    };
  }, [load]);

  const loadMore = useCallback(() => load(items.length, () => true), [load, items.length]);
  return { items, hasMore, loading, error, loadMore };
}
