import { useEffect, useState } from "react";
import { get } from "../../api/client";
import type { FlowVersion, MessageList, StaffConversation, TranscriptMessage } from "../../api/types";

const PAGE = 1000;

async function allMessages(id: string): Promise<TranscriptMessage[]> {
  const messages: TranscriptMessage[] = [];
  for (;;) {
    const after = messages.length ? messages[messages.length - 1].seq : 0;
    const page = await get<MessageList>(`/conversations/${id}/messages?after_seq=${after}&limit=${PAGE}`);
    messages.push(...page.messages);
    if (page.messages.length < PAGE) return messages;
  }
}

interface Detail {
  conversation?: StaffConversation;
  messages?: TranscriptMessage[];
  /** The flow version it runs on (names the nodes); absent if that flow was deleted. */
  version?: FlowVersion;
  error: unknown;
}

/** The conversation, its whole transcript, and the flow version it is pinned to. */
export function useConversationDetail(id: string): Detail {
  const [detail, setDetail] = useState<Detail>({ error: null });

  useEffect(() => {
    let current = true;
    setDetail({ error: null });
    (async () => {
      const [conversation, messages] = await Promise.all([
        get<StaffConversation>(`/conversations/${id}`),
        allMessages(id),
      ]);
      if (current) setDetail({ conversation, messages, error: null });
      const version = await get<FlowVersion>(
        `/flows/${conversation.flow_id}/versions/${conversation.flow_version}`,
      ).catch(() => undefined);
      if (current && version) setDetail({ conversation, messages, version, error: null });
    })().catch((error: unknown) => {
      if (current) setDetail({ error });
    });
    return () => {
      current = false;
    };
  }, [id]);

  return detail;
}
