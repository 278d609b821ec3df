import { useCallback, useEffect, useReducer, useRef, useState } from "react";
import { ApiError, get, post, put } from "../api/client";
import type { MessageList, StaffConversation, TranscriptMessage, User, UserStatus } from "../api/types";
import { askNotificationPermissionOnce, beep, notify, unlockSound } from "./alerts";
import {
  customerLabel,
  initialState,
  lastSeq,
  secondsLeft,
  workspaceReducer,
  type AgentEvent,
  type SkillGroupQueue,
  type WorkspaceState,
} from "./state";
import { useAgentStream, type Connection } from "./useAgentStream";

/** `GET /agent/directory`: who and where, by name. */
export interface Directory {
  agents: { id: string; display_name: string; status: UserStatus }[];
  skill_groups: { id: string; name: string }[];
  channels: { id: string; name: string; type: string }[];
}

export type TransferTarget = { agent_id: string } | { skill_group_id: string };

/** Queues have events only for groups one belongs to; an admin watching others is polled. */
const QUEUE_REFRESH_MS = 30_000;
const HISTORY_PAGE = 1000;

export interface Workspace {
  state: WorkspaceState;
  connection: Connection;
  directory: Directory | null;
  /** The last status, accept, send or rating action that failed, as the server explained it. */
  error: unknown;
  clearError(): void;
  select(conversationId: string | null): void;
  /** These four resolve to whether it worked; a refusal goes to `error`. */
  setStatus(status: UserStatus): Promise<boolean>;
  accept(conversationId: string): Promise<boolean>;
  send(conversationId: string, text: string): Promise<boolean>;
  requestRating(conversationId: string): Promise<boolean>;
  /** These two throw the server's refusal (their dialogs show it). */
  transfer(conversationId: string, target: TransferTarget, targetName: string): Promise<void>;
  close(conversationId: string): Promise<void>;
  refreshDirectory(): Promise<void>;
}

/** The workspace's data and actions: the reducer fed by the stream and by HTTP reads. */
export function useWorkspace(user: User): Workspace {
  const [state, dispatch] = useReducer(workspaceReducer, user.status, initialState);
  const stateRef = useRef(state);
  stateRef.current = state;
  const [directory, setDirectory] = useState<Directory | null>(null);
  const [error, setError] = useState<unknown>(null);
  const alerted = useRef(new Set<string>());

  const loadHistory = useCallback(async (conversationId: string) => {
    // Only what follows the newest message held: the rest came already, by a read or an event.
    let after = lastSeq(stateRef.current, conversationId);
    for (;;) {
      const page = await get<MessageList>(
        `/conversations/${encodeURIComponent(conversationId)}/messages?after_seq=${after}&limit=${HISTORY_PAGE}`,
      );
      dispatch({ kind: "history", conversationId, messages: page.messages });
      if (page.messages.length < HISTORY_PAGE) return;
      after = page.messages[page.messages.length - 1].seq;
    }
  }, []);

  const loadQueues = useCallback(async () => {
    const found = await get<{ queues: SkillGroupQueue[] }>("/agent/queues");
    dispatch({ kind: "queues", queues: found.queues });
  }, []);

  const refreshDirectory = useCallback(async () => {
    setDirectory(await get<Directory>("/agent/directory"));
  }, []);

  const quietly = (promise: Promise<unknown>) => {
    promise.catch((caught: unknown) => console.warn("workspace read failed", caught));
  };

  const onEvent = useCallback(
    (event: AgentEvent) => {
      dispatch({ kind: "event", event });
      switch (event.type) {
        case "snapshot":
          for (const conversation of event.conversations) quietly(loadHistory(conversation.id));
          break;
        case "conversation.offered": {
          const conversation = event.conversation;
          const deadline = conversation.offer_expires_at ?? event.deadline ?? null;
          const key = `${conversation.id}@${deadline}`;
          // A replayed offer that already expired, or one already announced, stays quiet.
          if (secondsLeft(deadline, Date.now()) > 0 && !alerted.current.has(key)) {
            alerted.current.add(key);
            beep();
            notify(
              "New conversation offered",
              `${customerLabel(conversation)} is waiting; accept within ${secondsLeft(deadline, Date.now())} s.`,
              conversation.id,
            );
          }
          quietly(loadHistory(conversation.id));
          break;
        }
        case "conversation.assigned":
          quietly(loadHistory(event.conversation.id));
          break;
        case "queue.updated":
          if (!stateRef.current.queues?.some((q) => q.skill_group_id === event.skill_group_id)) {
            quietly(loadQueues()); // a group we have no name for yet
          }
          break;
        default:
          break;
      }
    },
    [loadHistory, loadQueues],
  );

  const connection = useAgentStream({
    onEvent,
    onOpen: () => quietly(loadQueues()),
    onFailing: () => {
      // The stream's handshake cannot say 401; the API can. A session that ended goes to sign-in.
      get<User>("/auth/me").catch((caught: unknown) => {
        if (caught instanceof ApiError && caught.status === 401) window.location.assign("/login");
      });
    },
  });

  useEffect(() => {
    get<User>("/auth/me")
      .then((me) => dispatch({ kind: "status", status: me.status }))
      .catch(() => undefined);
    quietly(refreshDirectory());
    const timer = window.setInterval(() => quietly(loadQueues()), QUEUE_REFRESH_MS);
    return () => window.clearInterval(timer);
  }, [loadQueues, refreshDirectory]);

  /** Runs a page-level action; a refusal is shown above the workspace instead of thrown. */
  const act = useCallback(async (action: () => Promise<void>): Promise<boolean> => {
    setError(null);
    try {
      await action();
      return true;
    } catch (caught) {
      setError(caught);
      return false;
    }
  }, []);

  const path = (conversationId: string, action: string) =>
    `/conversations/${encodeURIComponent(conversationId)}/${action}`;

  return {
    state,
    connection,
    directory,
    error,
    clearError: () => setError(null),
    select: (conversationId) => dispatch({ kind: "select", conversationId }),
    refreshDirectory,
    setStatus: (status) => {
      if (status === "online") {
        // A click is a user gesture: the one moment browsers let us unlock sound and ask.
        unlockSound();
        askNotificationPermissionOnce();
      }
      // Shown at once (the switch must answer the click), put back if the server refuses.
      const before = stateRef.current.status;
      dispatch({ kind: "status", status });
      return act(async () => {
        try {
          const updated = await put<User>("/agent/status", { status });
          dispatch({ kind: "status", status: updated.status });
        } catch (caught) {
          dispatch({ kind: "status", status: before });
          throw caught;
        }
      });
    },
    accept: (conversationId) =>
      act(async () => {
        unlockSound();
        const { conversation } = await post<{ conversation: StaffConversation }>(path(conversationId, "accept"));
        dispatch({ kind: "conversation", conversation });
        dispatch({ kind: "select", conversationId });
        await loadHistory(conversationId);
      }),
    send: (conversationId, text) =>
      act(async () => {
        const { message } = await post<{ message: TranscriptMessage }>(path(conversationId, "messages"), { text });
        // Shown at once; the stream's copy of it is then a duplicate by `seq` and skipped.
        dispatch({ kind: "history", conversationId, messages: [message] });
      }),
    requestRating: (conversationId) =>
      act(async () => {
        await post(path(conversationId, "request-rating"));
      }),
    // Transfer and close run inside their dialogs, which show a refusal themselves: they throw.
    transfer: async (conversationId, target, targetName) => {
      const { conversation } = await post<{ conversation: StaffConversation }>(
        path(conversationId, "transfer"),
        target,
      );
      dispatch({
        kind: "left",
        conversationId,
        notice: `${customerLabel(conversation)} was transferred to ${targetName}.`,
      });
    },
    close: async (conversationId) => {
      const { conversation } = await post<{ conversation: StaffConversation }>(path(conversationId, "close"));
      dispatch({
        kind: "left",
        conversationId,
        notice: `You closed the conversation with ${customerLabel(conversation)}.`,
      });
    },
  };
}
